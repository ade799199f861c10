// report_mail.h - one compressed report wrapped as an Internet message (RFC 9990 §5.2.1.1).
//
// report_file_name(): receiver "!" policy-domain "!" begin "!" end "!" unique-id ".xml.gz"
// (RFC 7489 §7.2.1.1, RFC 9990 §5.2.1.1). report_subject(): "Report Domain: <policy-domain>
// Submitter: <receiver> Report-ID: <report-id>". build_report_mail() writes a multipart/mixed
// message (GMime) with a short text part and the gzip attachment in base64, addressed From the
// report email To one destination; pure apart from GMime's allocator.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "report/aggregate_report.h"
#include "report/report_options.h"

namespace authmilter::report {

std::string report_file_name(const AggregateReport& report, const ReportOptions& options);
std::string report_subject(const AggregateReport& report, const ReportOptions& options);

Result<std::string> build_report_mail(const AggregateReport& report, const ReportOptions& options,
                                      const std::string& gzipped_xml, const std::string& to,
                                      std::int64_t now);

}  // namespace authmilter::report
