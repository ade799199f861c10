// report_record.h - one evaluated message as the record store keeps it.
//
// Plain strings and integers only, so that policy/report depends on no other check's types: the
// per-message pipeline maps its SpfResult, DkimResult and DmarcResult into a ReportRecord (result
// words in RFC 8601 vocabulary, as RFC 9990 §3 / Appendix A uses them) and hands it to
// RecordStore::append(). Every string is bounded by sanitize_record() before it is stored, so a
// hostile header cannot grow a row or smuggle separators into the encoded lists.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/domain_name.h"

namespace authmilter::report {

// The store's bound on every short text field of a row - domains as they came (a final dot
// included), selectors, the source IP, result words, the queue id - so that one hostile message
// cannot grow a row. A size bound, not a validity check, hence not kMaxDomainNameLength (253,
// a name in presentation form): 255 is RFC 1035's bound on a name on the wire, which keeps every
// name the checks accept whole, with room for its final dot.
inline constexpr std::size_t kMaxShortFieldLength = 255;
static_assert(kMaxShortFieldLength >= kMaxDomainNameLength + 1);
inline constexpr std::size_t kMaxCommentLength = 256;     // our bound on an override comment
inline constexpr std::size_t kMaxRuaLength = 2048;        // our bound; rua list as published
inline constexpr std::size_t kMaxDkimPerRecord = 16;      // our bound on signatures reported
inline constexpr std::size_t kMaxOverridesPerRecord = 8;  // our bound on override reasons

struct DkimEntry {
  std::string domain;    // d=
  std::string selector;  // s=
  std::string result;    // none pass fail policy neutral temperror permerror
  friend bool operator==(const DkimEntry&, const DkimEntry&) = default;
};

// One reason the applied disposition differs from the published policy, as the report carries it
// (RFC 9990 policy_evaluated/reason; RFC 7489 PolicyOverrideReason): the pipeline writes
// decision::OverrideReason (an enum) here as its report word.
struct PolicyOverrideEntry {
  std::string type;     // local_policy mailing_list other policy_test_mode trusted_forwarder
                        // forwarded sampled_out (RFC 7489 only)
  std::string comment;  // free text, may be empty
  friend bool operator==(const PolicyOverrideEntry&, const PolicyOverrideEntry&) = default;
};

// The DMARC record that applied, as published (defaults filled in): RFC 9990 policy_published.
struct PublishedPolicy {
  std::string domain;       // where the record was found
  std::string p = "none";   // none quarantine reject
  std::string sp;           // empty when absent
  std::string np;           // empty when absent
  std::string psd = "u";    // y n u
  bool testing = false;     // t=y
  std::string adkim = "r";  // r s
  std::string aspf = "r";   // r s
  int pct = 100;            // RFC 7489 only
  std::string fo = "0";
  std::string discovery = "treewalk";  // treewalk psl
  std::string rua;                     // the rua= value as published
  friend bool operator==(const PublishedPolicy&, const PublishedPolicy&) = default;
};

struct ReportRecord {
  std::int64_t time = 0;  // unix seconds, when the message was evaluated
  std::string source_ip;
  std::string header_from;               // RFC5322.From domain
  std::string envelope_from;             // RFC5321.MailFrom domain ("" for the null sender)
  std::vector<std::string> envelope_to;  // recipient domains
  std::string spf_domain;
  std::string spf_scope = "mfrom";  // mfrom helo
  std::string spf_result = "none";
  std::vector<DkimEntry> dkim;
  PublishedPolicy policy;
  std::string disposition = "none";   // applied: none pass quarantine reject
  std::string dmarc_result = "fail";  // pass fail (the DMARC verdict)
  std::string dkim_aligned = "fail";  // pass fail
  std::string spf_aligned = "fail";   // pass fail
  std::vector<PolicyOverrideEntry> overrides;
  std::string queue_id;
  friend bool operator==(const ReportRecord&, const ReportRecord&) = default;
};

// sanitize_record - bound every length and count and drop control characters, in place.
void sanitize_record(ReportRecord& record);

}  // namespace authmilter::report
