// failure_mail.h - one failure record as an RFC 6591 authentication failure report (ARF).
//
// failure_report_fields() writes the machine-readable part (RFC 5965 §3.1, RFC 6591 §3, RFC
// 9991): Feedback-Type: auth-failure, User-Agent, Version: 1, Auth-Failure: dmarc,
// Identity-Alignment, Original-Mail-From, Arrival-Date, Source-IP, Reported-Domain,
// Reporting-MTA, Delivery-Result, Authentication-Results, DKIM-Domain/-Identity/-Selector when
// the message had a DKIM signature, and SPF-DNS when SPF did not pass and its record is known.
// Every value is cleaned (no CR, LF or other control character, nothing beyond ASCII, bounded)
// and folded at spaces, so nothing recorded from the wire can add a field or a line.
// build_failure_report() wraps it with GMime: multipart/report; report-type=feedback-report,
// a text/plain part for people, the message/feedback-report part, and the recorded header
// section as text/rfc822-headers (already redacted when recorded; no body is ever included).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "report/record_store.h"
#include "report/report_options.h"

namespace authmilter::report {

struct FailureMailSettings {
  const ReportOptions* reports = nullptr;  // org_name, submitter
  std::string from;                        // the From address
};

std::string failure_report_fields(const StoredFailure& failure, const ReportOptions& reports);
std::string failure_report_subject(const StoredFailure& failure);

Result<std::string> build_failure_report(const StoredFailure& failure,
                                         const FailureMailSettings& settings, const std::string& to,
                                         std::int64_t now);

}  // namespace authmilter::report
