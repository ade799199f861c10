// spf_fuzz.cpp - random SPF records and macros through the whole check_host() evaluator.
//
// Input: lines; line 0 is the TXT record of example.test, line i the TXT record of
// i.example.test (so include:/redirect=/exists: with %{...} macros reach more records).
// Every name also has an A and an MX record so mechanisms have something to match.
// Invariants: no crash, no sanitizer report, a result with a code in the RFC's set.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dns/zone_resolver.h"
#include "spf/spf.h"

namespace {

constexpr std::size_t kMaxRecords = 16;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authmilter;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  dns::ZoneResolver zone;
  const auto address = net::IpAddress::parse("192.0.2.1");
  for (std::size_t index = 0; index < kMaxRecords && !input.empty(); ++index) {
    const auto newline = input.find('\n');
    const std::string_view record = input.substr(0, newline);
    const std::string name = index == 0 ? "example.test" : std::to_string(index) + ".example.test";
    zone.add_txt(name, std::string(record));
    zone.add_address(name, *address);
    zone.add_mx(name, 10, name);
    input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  }
  spf::SpfOptions options;
  options.timestamp = 1;  // deterministic %{t}
  const spf::SpfQuery query{*address, "helo.example.test", "local-part+x@example.test"};
  const spf::SpfResult result = spf::check_mail_from(query, zone, options);
  if (spf::to_string(result.code) == nullptr) __builtin_trap();
  const spf::SpfResult helo = spf::check_helo(query, zone, options);
  if (spf::to_string(helo.code) == nullptr) __builtin_trap();
  return 0;
}
