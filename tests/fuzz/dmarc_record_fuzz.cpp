// dmarc_record_fuzz.cpp - DMARC record and rua/ruf URI parsing, in both modes.
//
// Invariant: no crash and no sanitizer report for any record text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dmarc/record.h"
#include "dmarc/uri.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authmilter;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)dmarc::parse_record(input, dmarc::DmarcMode::rfc9989);
  (void)dmarc::parse_record(input, dmarc::DmarcMode::rfc7489);
  (void)dmarc::parse_uri_list(input);
  (void)dmarc::is_dmarc_record(input);
  return 0;
}
