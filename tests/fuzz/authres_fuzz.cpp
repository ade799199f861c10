// authres_fuzz.cpp - Authentication-Results parsing, and re-formatting what was parsed.
//
// Invariants: no crash; whatever parses formats into a value whose only line breaks are the
// folds format_authres() writes ("\n\t"), and that output parses again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "authres/authres.h"
#include "authres/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authmilter;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)authres::authserv_id_of(input);
  (void)authres::carries_authserv_id(input, "mx.example.net");
  auto parsed = authres::parse_authres(input);
  if (!parsed.ok()) return 0;
  const std::string formatted = authres::format_authres("mx.example.net", parsed->results);
  for (std::size_t i = 0; i < formatted.size(); ++i) {
    const unsigned char c = formatted[i];
    if (c == '\r') __builtin_trap();
    if (c == '\n' && (i + 1 >= formatted.size() || formatted[i + 1] != '\t')) __builtin_trap();
    if (c < 0x20 && c != '\n' && c != '\t') __builtin_trap();
  }
  if (!authres::parse_authres(formatted).ok()) __builtin_trap();
  return 0;
}
