// recorded_decision.h - one recorded message decided again under another local policy.
//
// replay_record() rebuilds decide()'s DecisionInput from a stored report::ReportRecord (the
// DecisionFacts columns plus the client address, the SPF pass domain and the DKIM pass domains)
// and calls decision::decide() with the candidate LocalPolicy: no DNS, no message. The trusted
// ARC vouch is chosen again from the recorded sealers (decision/trusted_vouch.h), so a candidate
// arc.trusted_sealers is judged like the daemon would judge it.
// Outcomes:
//   judged     - `replayed` is the candidate's decision; `recorded` what the MTA was told then.
//   not_judged - the record lacks what this candidate needs: a row recorded before schema
//                version 2 (only its dmarc=pass rows are judged: a pass is delivered under any
//                policy), or a trusted-sealer walk past the recorded ARC instances.
//                `missing` names what is missing.
//   unreadable - a value the store should never hold (an unknown word, a bad address); `missing`
//                says which. Never a crash.
// Pure; thread-compatible.
#pragma once

#include <string>

#include "decision/decision.h"
#include "decision/local_policy.h"
#include "report/report_record.h"

namespace authmilter::replay {

enum class ReplayStatus { judged, not_judged, unreadable };

struct ReplayedRecord {
  ReplayStatus status = ReplayStatus::unreadable;
  decision::Action recorded = decision::Action::deliver;  // from the stored disposition
  decision::Decision replayed;                            // meaningful when judged
  std::string missing;                                    // not_judged / unreadable: why
};

ReplayedRecord replay_record(const report::ReportRecord& record,
                             const decision::LocalPolicy& candidate);

// decision_input_from_record - the DecisionInput the daemon built, as far as the record holds
// it (without the trusted vouch); an Error names the unreadable value. Needs record.facts.
Result<decision::DecisionInput> decision_input_from_record(const report::ReportRecord& record);

}  // namespace authmilter::replay
