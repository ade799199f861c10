// from_header_fuzz.cpp - the RFC 5322 From parser (GMime) on hostile header values.
//
// Invariant: no crash; an "ok" answer always names at least one domain (CVE-2019-16378 class:
// an unparseable or ambiguous From must never look like a clean single author).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dmarc/from_address.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authmilter;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const dmarc::FromAuthors authors = dmarc::parse_from_header(input);
  if (authors.status == dmarc::FromStatus::ok && authors.domains.empty()) __builtin_trap();
  return 0;
}
