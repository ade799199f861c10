// decision.h - the disposition of one message: DMARC result + local policy -> what the MTA does.
//
// decide() is pure: plain values in (the author selection verdict, the DmarcResult, the signs of
// an indirect flow seen in the header, the client address and the SPF/DKIM pass domains), a
// Decision out. The table (RFC 9989 §7.4, §8; RFC 7489 §6.7 for the override reasons):
//   author no_author/invalid        -> LocalPolicy::no_author (reject | quarantine | accept)
//   author reject (ambiguous From)  -> reject 550 5.7.1
//   author fail                     -> as dmarc=fail requesting at least quarantine
//   dmarc pass | none | permerror   -> deliver (RFC 9989 §5.3: no policy is applied)
//   dmarc temperror                 -> tempfail 451 4.7.0, or deliver (LocalPolicy::on_temperror)
//   dmarc fail, requested none      -> deliver
//   dmarc fail, a trusted ARC sealer's ARC-Authentication-Results show an aligned pass
//                                   -> deliver (trusted_forwarder; RFC 8617 §7.2.1, RFC 9989 §7.4)
//   dmarc fail, requested quarantine-> quarantine
//   dmarc fail, requested reject    -> RejectMode (a per-domain override replaces the global):
//       honor   -> reject;  never -> quarantine (local_policy)
//       rfc9989 -> quarantine if List-Id/List-Post (mailing_list), client or a passing SPF/DKIM
//                  domain in the forwarder list (trusted_forwarder), an ARC chain that
//                  passes (forwarded; a failed or unverified chain is no evidence); else reject
//   then a per-domain max_disposition caps the result (local_policy);
//   dry_run: the action becomes deliver, everything else (disposition, reasons) is kept.
// Every downgrade is recorded as a PolicyOverride (RFC 7489 §7.2 PolicyOverrideType words), as
// is a t=y / pct downgrade done by the domain itself (sampled_out).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "decision/local_policy.h"
#include "decision/refusal.h"
#include "dmarc/author_selection.h"
#include "dmarc/evaluate.h"
#include "net/ip_address.h"

namespace authmilter::decision {

struct IndirectFlowSigns {
  bool list_headers = false;  // List-Id or List-Post (RFC 2369, RFC 2919)
  // The newest sealer's d= when the message's ARC chain passes (RFC 8617): an intermediary
  // vouches for the message. Empty when there is no chain or it failed: anyone can add an
  // ARC-Seal line, so only a verified chain is a sign.
  std::string arc_pass_sealer;
};

// A sealer the operator trusts (arc.trusted_sealers), whose ARC-Authentication-Results show
// SPF or DKIM passing for a domain aligned with the author domain, or dmarc=pass: what it saw
// before it changed the message (RFC 8617 §7.2.1).
struct TrustedArcVouch {
  std::string sealer;     // that instance's ARC-Seal d=
  unsigned instance = 0;  // whose ARC-Authentication-Results were used
  std::string evidence;   // "dkim=pass header.d=example.com", for the AR comment and the log
};

struct DecisionInput {
  dmarc::AuthorVerdict author = dmarc::AuthorVerdict::evaluate;
  std::string author_reason;  // why the From could not be evaluated
  dmarc::DmarcResult dmarc;   // used when author is evaluate or fail
  // Every author domain (several under multiple_from strictest/fail); a per-domain override
  // applies only when all of them share it. Empty: dmarc.from_domain alone.
  std::vector<std::string> author_domains;
  IndirectFlowSigns signs;
  std::optional<TrustedArcVouch> trusted_arc;  // set only when DMARC failed and a chain passed
  std::optional<net::IpAddress> client;
  std::string spf_pass_domain;  // MAIL FROM domain when SPF passed, else empty
  std::vector<std::string> dkim_pass_domains;
};

enum class Action { deliver, quarantine, reject, tempfail };
enum class OverrideReason {
  forwarded,
  sampled_out,
  trusted_forwarder,
  mailing_list,
  local_policy,
  other
};

const char* to_string(Action action);
const char* to_string(OverrideReason reason);

struct PolicyOverride {
  OverrideReason reason = OverrideReason::other;
  std::string comment;

  friend bool operator==(const PolicyOverride&, const PolicyOverride&) = default;
};

struct Decision {
  dmarc::Disposition disposition = dmarc::Disposition::none;  // applied (or, dry run, would be)
  Action intended = Action::deliver;                          // before dry_run
  Action action = Action::deliver;                            // what the MTA is told
  bool dry_run = false;
  bool hold = false;        // quarantine: Postfix hold queue
  bool add_header = false;  // quarantine: add LocalPolicy's marker header
  std::vector<PolicyOverride> overrides;
  Refusal refusal;  // 550 / 451 when intended is reject / tempfail, else empty
  std::string why;  // one line for logs and authmilter-check
};

Decision decide(const DecisionInput& input, const LocalPolicy& policy);

// The override matching domain (itself or a parent domain; longest match wins), or null.
const DomainOverride* find_override(const std::string& domain, const LocalPolicy& policy);

}  // namespace authmilter::decision
