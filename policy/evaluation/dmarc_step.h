// dmarc_step.h - DMARC for one message: which authors, their evaluation, and the decision.
//
// run_dmarc_step() is called once at end of message with everything the earlier stages
// gathered (the From header values, the SPF MAIL FROM result, every DKIM result, the signs of
// an indirect flow) and returns the author selection, the DmarcResult that applies (the
// strictest one when several author domains are evaluated, CVE-2019-16378) and the local
// policy's Decision. DNS goes through the borrowed resolver; nothing else has side effects.
// RFC 9989 §5.3 (the validation steps), §7.4/§8 via decision.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "arc/arc_result.h"
#include "decision/decision.h"
#include "decision/trusted_vouch.h"
#include "dkim/dkim_result.h"
#include "dmarc/author_selection.h"
#include "dmarc/evaluate.h"
#include "dns/resolver.h"
#include "spf/spf.h"

namespace authmilter::evaluation {

struct DmarcStepInput {
  std::vector<std::string> from_values;  // every From header value, in order
  const std::optional<spf::SpfResult>* spf = nullptr;
  const std::vector<dkim::DkimResult>* dkim = nullptr;
  decision::IndirectFlowSigns signs;
  std::optional<net::IpAddress> client;
  const arc::ArcResult* arc = nullptr;  // null: ARC not checked
  // The message's DNS budget was spent: its SPF/DKIM temperrors may be the sender's doing (slow
  // zones of its own), so they do not turn a DMARC fail into temperror.
  bool dns_budget_spent = false;
};

// How many of a passing ARC chain's newest instances are evaluated and recorded whatever
// arc.trusted_sealers says, so that another trusted list can be replayed from the record; real
// chains are 1-3 deep, and the bound keeps a hostile 50-instance chain from costing 50 DMARC
// re-evaluations.
inline constexpr std::size_t kRecordedArcSealers = 8;

struct DmarcStep {
  dmarc::AuthorSelection authors;
  std::optional<dmarc::DmarcResult> result;  // absent when no author domain was evaluated
  decision::DecisionInput facts;             // what decide() was given (the report row keeps it)
  // DMARC failed and the ARC chain passed: its newest instances, newest first, with what each
  // one's ARC-Authentication-Results vouch for under the author's record (trusted_vouch.h).
  std::vector<decision::ArcSealerEvidence> arc_sealers;
  std::string arc_result;  // "none" "pass" "fail" "temperror"; empty when ARC was not checked
  decision::Decision decision;
};

DmarcStep run_dmarc_step(const DmarcStepInput& input, dns::Resolver& resolver,
                         const dmarc::DmarcOptions& options, const decision::LocalPolicy& policy);

}  // namespace authmilter::evaluation
