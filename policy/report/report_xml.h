// report_xml.h - one AggregateReport as XML, in the RFC 9990 or the RFC 7489 Appendix C format.
//
// write_report_xml() is pure (apart from libxml2's allocator) and deterministic. RFC 9990 output
// is in namespace urn:ietf:params:xml:ns:dmarc-2.0 and validates against the draft-32 XSD;
// RFC 7489 output carries no namespace (as real reports do), always has `version`, `sp`, `pct`,
// `fo`, `envelope_from` and an SPF result with scope (the schema requires them, Errata 5229), and
// writes IPv6 addresses fully expanded (the Appendix C IPAddress pattern knows no "::").
// Values outside a format's vocabulary are mapped to its nearest word ("other" for override
// types, "pass" disposition -> "none" in RFC 7489); text that is not UTF-8 is made ASCII.
// Returns an error only when libxml2 fails.
#pragma once

#include <string>

#include "common/result.h"
#include "report/aggregate_report.h"
#include "report/report_options.h"

namespace authmilter::report {

inline constexpr const char* kDmarc2Namespace = "urn:ietf:params:xml:ns:dmarc-2.0";
inline constexpr const char* kGenerator = "authmilter-report";

Result<std::string> write_report_xml(const AggregateReport& report, const ReportOptions& options);

}  // namespace authmilter::report
