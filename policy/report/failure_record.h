// failure_record.h - what one RFC 9991 failure report needs, as the daemon records it.
//
// The daemon fills a FailureRecord for a message whose DMARC evaluation (or, per the policy's
// fo= options, whose SPF or DKIM check) failed, and attaches it to the message's aggregate row
// (ReportRecord::failure), so that the store commits both in one transaction. It holds no body
// and no whole message: the header section, bounded by kMaxFailureHeaderBytes and already
// redacted as configured (redaction.h), and the few facts the ARF fields carry (RFC 6591 §3,
// RFC 9991). sanitize_failure() bounds every field; the report builder still cleans each value
// it writes into a header field, so nothing from the wire can add a line to a report.
#pragma once

#include <cstddef>
#include <string>

namespace authmilter::report {

// Our bounds: a header section larger than this is cut at a field boundary (headers_cut), and
// the other texts are cut at their bounds.
inline constexpr std::size_t kMaxFailureHeaderBytes = 65536;
inline constexpr std::size_t kDefaultFailureHeaderBytes = 16384;
inline constexpr std::size_t kMaxFailureTextLength = 2048;  // AR value, SPF record, ruf list

struct FailureRecord {
  std::string ruf;                 // the ruf= value as published (our bound kMaxRuaLength)
  std::string fired;               // the fo= options that fired, e.g. "0", "1d" (fo_trigger.h)
  std::string identity_alignment;  // RFC 7489 §7.3.1: "none", "dkim", "spf" or "dkim, spf"
  std::string mail_from;           // MAIL FROM as received (redacted), "" for <>
  std::string spf_record;          // the v=spf1 TXT of spf_domain when SPF did not pass
  std::string dkim_domain;         // the reported signature (failure_record_builder.h picks it)
  std::string dkim_identity;       // its i= (redacted)
  std::string dkim_selector;
  std::string authentication_results;  // the value of the AR header we added, unfolded
  std::string delivery_result;         // RFC 6591 §3.2: delivered spam policy reject other
  std::string headers;                 // header section, CRLF lines, redacted, bounded
  bool headers_cut = false;            // the header section was over the bound
  friend bool operator==(const FailureRecord&, const FailureRecord&) = default;
};

// sanitize_failure - bound every field and drop control characters (CR and LF too) from every
// field but `headers`, whose lines are made CRLF-terminated, in place.
void sanitize_failure(FailureRecord& failure);

}  // namespace authmilter::report
