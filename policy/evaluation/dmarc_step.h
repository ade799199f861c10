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
};

struct DmarcStep {
  dmarc::AuthorSelection authors;
  std::optional<dmarc::DmarcResult> result;  // absent when no author domain was evaluated
  decision::Decision decision;
};

DmarcStep run_dmarc_step(const DmarcStepInput& input, dns::Resolver& resolver,
                         const dmarc::DmarcOptions& options, const decision::LocalPolicy& policy);

}  // namespace authmilter::evaluation
