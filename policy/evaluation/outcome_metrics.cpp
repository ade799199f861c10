#include "evaluation/outcome_metrics.h"

namespace authmilter::evaluation {

namespace {

using metrics::CheckResult;
using metrics::Method;

CheckResult spf_label(spf::SpfCode code) {
  switch (code) {
    case spf::SpfCode::pass:
      return CheckResult::pass;
    case spf::SpfCode::fail:
      return CheckResult::fail;
    case spf::SpfCode::softfail:
      return CheckResult::softfail;
    case spf::SpfCode::neutral:
      return CheckResult::neutral;
    case spf::SpfCode::none:
      return CheckResult::none;
    case spf::SpfCode::temperror:
      return CheckResult::temperror;
    case spf::SpfCode::permerror:
      return CheckResult::permerror;
  }
  return CheckResult::permerror;
}

CheckResult dkim_label(dkim::DkimCode code) {
  switch (code) {
    case dkim::DkimCode::pass:
      return CheckResult::pass;
    case dkim::DkimCode::fail:
      return CheckResult::fail;
    case dkim::DkimCode::neutral:
      return CheckResult::neutral;
    case dkim::DkimCode::policy:
      return CheckResult::policy;
    case dkim::DkimCode::temperror:
      return CheckResult::temperror;
    case dkim::DkimCode::permerror:
      return CheckResult::permerror;
  }
  return CheckResult::permerror;
}

CheckResult dmarc_label(dmarc::DmarcCode code) {
  switch (code) {
    case dmarc::DmarcCode::pass:
      return CheckResult::pass;
    case dmarc::DmarcCode::fail:
      return CheckResult::fail;
    case dmarc::DmarcCode::none:
      return CheckResult::none;
    case dmarc::DmarcCode::temperror:
      return CheckResult::temperror;
    case dmarc::DmarcCode::permerror:
      return CheckResult::permerror;
  }
  return CheckResult::permerror;
}

metrics::DmarcPolicy policy_label(dmarc::Disposition disposition) {
  switch (disposition) {
    case dmarc::Disposition::none:
      return metrics::DmarcPolicy::none;
    case dmarc::Disposition::quarantine:
      return metrics::DmarcPolicy::quarantine;
    case dmarc::Disposition::reject:
      return metrics::DmarcPolicy::reject;
  }
  return metrics::DmarcPolicy::none;
}

metrics::OverrideReason override_label(decision::OverrideReason reason) {
  using decision::OverrideReason;
  switch (reason) {
    case OverrideReason::forwarded:
      return metrics::OverrideReason::forwarded;
    case OverrideReason::sampled_out:
      return metrics::OverrideReason::sampled_out;
    case OverrideReason::trusted_forwarder:
      return metrics::OverrideReason::trusted_forwarder;
    case OverrideReason::mailing_list:
      return metrics::OverrideReason::mailing_list;
    case OverrideReason::local_policy:
      return metrics::OverrideReason::local_policy;
    case OverrideReason::other:
      return metrics::OverrideReason::other;
  }
  return metrics::OverrideReason::other;
}

void count_result(Method method, CheckResult result) {
  metrics::registry().results[metrics::index_of(method)][metrics::index_of(result)].add();
}

// As the AR clause says (authres_clauses.cpp): without an evaluated author domain, none when
// there was no author, else permerror (RFC 9989 §5.3.1).
void count_dmarc(const DmarcStep& step) {
  auto& registry = metrics::registry();
  if (!step.result) {
    const bool no_author = step.authors.verdict == dmarc::AuthorVerdict::no_author;
    count_result(Method::dmarc, no_author ? CheckResult::none : CheckResult::permerror);
  } else {
    count_result(Method::dmarc, dmarc_label(step.result->code));
    if (step.result->record)
      registry
          .dmarc_dispositions[metrics::index_of(policy_label(step.result->published))]
                             [metrics::index_of(policy_label(step.decision.disposition))]
          .add();
  }
  for (const auto& item : step.decision.overrides)
    metrics::count(registry.dmarc_overrides, override_label(item.reason));
}

CheckResult arc_label(arc::ArcCode code) {
  switch (code) {
    case arc::ArcCode::pass:
      return CheckResult::pass;
    case arc::ArcCode::fail:
      return CheckResult::fail;
    case arc::ArcCode::temperror:
      return CheckResult::temperror;
    case arc::ArcCode::none:
      break;
  }
  return CheckResult::none;
}

}  // namespace

void count_check_results(const CheckedResults& results) noexcept {
  for (const auto* spf : {results.spf_mail_from, results.spf_helo})
    if (spf != nullptr && spf->has_value()) count_result(Method::spf, spf_label((*spf)->code));
  if (results.dkim_checked && results.dkim != nullptr) {
    if (results.dkim->empty()) count_result(Method::dkim, CheckResult::none);
    for (const auto& signature : *results.dkim)
      count_result(Method::dkim, dkim_label(signature.code));
  }
  if (results.dmarc != nullptr && results.dmarc->has_value()) count_dmarc(**results.dmarc);
  if (results.arc != nullptr) count_result(Method::arc, arc_label(results.arc->code));
}

void count_recipient_refusal(metrics::RecipientRefusal reason) noexcept {
  metrics::count(metrics::registry().recipients_refused, reason);
}

void count_dns_trouble(bool budget_spent, bool answer_cut) noexcept {
  auto& hits = metrics::registry().limit_hits;
  if (budget_spent) metrics::count(hits, metrics::LimitCause::dns_budget_spent);
  if (answer_cut) metrics::count(hits, metrics::LimitCause::dns_answer_cut);
}

}  // namespace authmilter::evaluation
