// report_record.h - one evaluated message as the record store keeps it.
//
// Plain strings and integers only, so that policy/report depends on no other check's types: the
// per-message pipeline maps its SpfResult, DkimResult and DmarcResult into a ReportRecord (result
// words in RFC 8601 vocabulary, as RFC 9990 §3 / Appendix A uses them) and hands it to
// RecordStore::append(). Every string is bounded by sanitize_record() before it is stored, so a
// hostile header cannot grow a row or smuggle separators into the encoded lists.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/domain_name.h"
#include "report/failure_record.h"

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

// A recorded ARC instance (decision/trusted_vouch.h ArcSealerEvidence as plain values).
struct ArcSealerEntry {
  unsigned instance = 0;
  std::string sealer;
  std::string evidence;  // what its ARC-Authentication-Results vouch for; empty: nothing
  friend bool operator==(const ArcSealerEntry&, const ArcSealerEntry&) = default;
};
inline constexpr std::size_t kMaxArcSealersPerRecord = 50;  // RFC 8617 §4.2.1's bound on i

// What the local policy's decide() was given beyond the columns above (schema version 2), so
// that authmilter-check --history can decide the message again under another policy. Rows
// recorded before version 2 have none. The SPF and DKIM pass domains and the client address
// are the columns above.
struct DecisionFacts {
  std::string author_verdict = "evaluate";  // evaluate fail (dmarc.multiple_from: fail)
  std::vector<std::string> author_domains;  // every author domain (an override needs them all)
  std::string dmarc_code = "none";          // pass fail none temperror permerror
  std::string published = "none";           // p/sp/np that applied: none quarantine reject
  std::string requested = "none";           // after t=y / pct
  bool list_headers = false;                // List-Id or List-Post present
  std::string arc_result;                   // none pass fail temperror; empty: not checked
  std::string arc_sealer;                   // the newest sealer when the chain passes
  std::vector<ArcSealerEntry> arc_sealers;  // newest first; only when DMARC failed
  friend bool operator==(const DecisionFacts&, const DecisionFacts&) = default;
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
  std::optional<DecisionFacts> facts;  // absent: recorded before schema version 2
  // What a failure report needs (failure_reports.enabled and the message failed per fo=);
  // committed with this row, in the same transaction, or not at all. Never read back with it.
  std::optional<FailureRecord> failure;
  friend bool operator==(const ReportRecord&, const ReportRecord&) = default;
};

// sanitize_record - bound every length and count and drop control characters, in place.
void sanitize_record(ReportRecord& record);

}  // namespace authmilter::report
