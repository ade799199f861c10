// failure_options.h - the `failure_reports:` section: RFC 9991 failure reports, off by default.
//
// Plain values filled by conf/failure_section.cpp. The daemon reads enabled, honoured_fo,
// max_header_bytes and the redaction (it records, redacted, only what a report needs);
// authmilter-report reads the rest, and sends through the `reports:` section's delivery
// settings. Many receivers never send failure reports, for their users' privacy: opt-in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "report/failure_record.h"

namespace authmilter::report {

// RFC 6590 redaction of the local parts of addresses in what is recorded and reported.
enum class Redaction {
  none,     // addresses as they came
  replace,  // every local part becomes "redacted"
  hash,     // every local part becomes a keyed hash (HMAC-SHA256, hex, 16 digits): the same
            // local part gives the same text, so reports can be correlated, not read
};

struct FailureReportOptions {
  bool enabled = false;
  std::string honoured_fo = "01ds";  // which fo= options we act on (RFC 7489 §6.3, RFC 9991)
  Redaction redact = Redaction::replace;
  std::string redact_key;  // Redaction::hash: the HMAC key (read from redact_key_file)
  std::size_t max_header_bytes = kDefaultFailureHeaderBytes;
  std::int64_t max_per_destination = 10;  // reports per destination address per hour
  std::int64_t max_per_hour = 100;        // reports per hour in all
  std::string from;                       // From address; "" = reports.email
};

}  // namespace authmilter::report
