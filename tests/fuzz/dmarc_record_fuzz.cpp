// dmarc_record_fuzz.cpp - DMARC record and rua/ruf URI parsing, in both modes.
//
// parse_uri_list() is the rua/ruf parser the record parser uses; it is fed the whole input
// too, so that URI lists are fuzzed without the record syntax around them.
// Invariants: no crash and no sanitizer report for any record text; a URI list never holds
// more than kMaxReportUris elements; a URI marked usable is a valid mailto: URI whose address
// has a local part, exactly one '@' and the lower-case domain it reports, and no control
// character, space or address delimiter (the address goes into a report's To: header and into
// RCPT TO:<...>, so a CR or LF there would be header or SMTP command injection, and a '>' or
// ' ' would end the address and smuggle in another recipient or an ESMTP parameter).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dmarc/record.h"
#include "dmarc/uri.h"

namespace {

using namespace authmilter;

bool has_control(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

void check_uri_list(const dmarc::UriList& list) {
  if (list.uris.size() > dmarc::kMaxReportUris) __builtin_trap();
  for (const auto& uri : list.uris) {
    if (!uri.usable) continue;
    if (!uri.valid || uri.scheme != "mailto") __builtin_trap();
    const auto at = uri.address.rfind('@');
    if (at == std::string::npos || at == 0 || uri.domain.empty()) __builtin_trap();
    if (uri.address.find('@') != at) __builtin_trap();
    if (has_control(uri.address) || has_control(uri.domain)) __builtin_trap();
    if (uri.address.find_first_of(" <>\"(),;:[]\\") != std::string::npos) __builtin_trap();
    for (const char c : uri.domain)
      if (c >= 'A' && c <= 'Z') __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const auto mode : {dmarc::DmarcMode::rfc9989, dmarc::DmarcMode::rfc7489}) {
    const auto parsed = dmarc::parse_record(input, mode);
    check_uri_list(parsed.record.rua);
    check_uri_list(parsed.record.ruf);
  }
  check_uri_list(dmarc::parse_uri_list(input));
  (void)dmarc::is_dmarc_record(input);
  return 0;
}
