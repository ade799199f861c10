// outcome_metrics.h: a message's results become exactly the registry counts they should (the
// process registry is shared, so every check compares before and after).
#include "evaluation/outcome_metrics.h"

#include <gtest/gtest.h>

namespace authmilter::evaluation {
namespace {

using metrics::CheckResult;
using metrics::Method;

std::uint64_t results(Method method, CheckResult result) {
  return metrics::registry().results[metrics::index_of(method)][metrics::index_of(result)].value();
}

std::uint64_t dispositions(metrics::DmarcPolicy policy, metrics::DmarcPolicy applied) {
  return metrics::registry()
      .dmarc_dispositions[metrics::index_of(policy)][metrics::index_of(applied)]
      .value();
}

std::uint64_t overrides(metrics::OverrideReason reason) {
  return metrics::registry().dmarc_overrides[metrics::index_of(reason)].value();
}

DmarcStep quarantined_mailing_list_fail() {
  DmarcStep step;
  step.authors.verdict = dmarc::AuthorVerdict::evaluate;
  step.result.emplace();
  step.result->code = dmarc::DmarcCode::fail;
  step.result->record.emplace();
  step.result->published = dmarc::Disposition::reject;
  step.decision.disposition = dmarc::Disposition::quarantine;
  step.decision.overrides.push_back({decision::OverrideReason::mailing_list, "List-Id"});
  return step;
}

TEST(OutcomeMetrics, CountsOneResultPerClauseAndSignature) {
  using metrics::DmarcPolicy;
  std::optional<spf::SpfResult> mail_from(std::in_place), helo(std::in_place);
  mail_from->code = spf::SpfCode::softfail;
  helo->code = spf::SpfCode::pass;
  std::vector<dkim::DkimResult> dkim(2);
  dkim[0].code = dkim::DkimCode::pass;
  dkim[1].code = dkim::DkimCode::policy;
  const std::optional<DmarcStep> dmarc = quarantined_mailing_list_fail();

  const auto spf_softfail = results(Method::spf, CheckResult::softfail);
  const auto spf_pass = results(Method::spf, CheckResult::pass);
  const auto dkim_pass = results(Method::dkim, CheckResult::pass);
  const auto dkim_policy = results(Method::dkim, CheckResult::policy);
  const auto dkim_none = results(Method::dkim, CheckResult::none);
  const auto dmarc_fail = results(Method::dmarc, CheckResult::fail);
  const auto reject_as_quarantine = dispositions(DmarcPolicy::reject, DmarcPolicy::quarantine);
  const auto mailing_list = overrides(metrics::OverrideReason::mailing_list);

  count_check_results({&mail_from, &helo, true, &dkim, &dmarc});

  EXPECT_EQ(results(Method::spf, CheckResult::softfail), spf_softfail + 1);
  EXPECT_EQ(results(Method::spf, CheckResult::pass), spf_pass + 1);
  EXPECT_EQ(results(Method::dkim, CheckResult::pass), dkim_pass + 1);
  EXPECT_EQ(results(Method::dkim, CheckResult::policy), dkim_policy + 1);
  EXPECT_EQ(results(Method::dkim, CheckResult::none), dkim_none);
  EXPECT_EQ(results(Method::dmarc, CheckResult::fail), dmarc_fail + 1);
  EXPECT_EQ(dispositions(DmarcPolicy::reject, DmarcPolicy::quarantine), reject_as_quarantine + 1);
  EXPECT_EQ(overrides(metrics::OverrideReason::mailing_list), mailing_list + 1);
}

TEST(OutcomeMetrics, UnsignedCheckedMessageIsDkimNoneAndSkippedChecksCountNothing) {
  const std::optional<spf::SpfResult> absent;
  const std::vector<dkim::DkimResult> unsigned_message;
  const auto dkim_none = results(Method::dkim, CheckResult::none);
  count_check_results({&absent, &absent, true, &unsigned_message, nullptr});
  EXPECT_EQ(results(Method::dkim, CheckResult::none), dkim_none + 1);
  count_check_results({&absent, &absent, false, &unsigned_message, nullptr});
  EXPECT_EQ(results(Method::dkim, CheckResult::none), dkim_none + 1);
}

// Without an evaluated author domain the DMARC count follows the AR clause: none for no
// author, permerror otherwise; no disposition is counted (no record applied).
TEST(OutcomeMetrics, DmarcWithoutAnAuthorDomain) {
  std::optional<DmarcStep> no_author = DmarcStep{};
  std::optional<DmarcStep> invalid = DmarcStep{};
  invalid->authors.verdict = dmarc::AuthorVerdict::invalid;
  const auto none = results(Method::dmarc, CheckResult::none);
  const auto permerror = results(Method::dmarc, CheckResult::permerror);
  const auto none_none = dispositions(metrics::DmarcPolicy::none, metrics::DmarcPolicy::none);
  count_check_results({nullptr, nullptr, false, nullptr, &no_author});
  count_check_results({nullptr, nullptr, false, nullptr, &invalid});
  EXPECT_EQ(results(Method::dmarc, CheckResult::none), none + 1);
  EXPECT_EQ(results(Method::dmarc, CheckResult::permerror), permerror + 1);
  EXPECT_EQ(dispositions(metrics::DmarcPolicy::none, metrics::DmarcPolicy::none), none_none);
}

TEST(OutcomeMetrics, DnsTroubleCountsEachCause) {
  auto& hits = metrics::registry().limit_hits;
  const auto spent = hits[metrics::index_of(metrics::LimitCause::dns_budget_spent)].value();
  const auto cut = hits[metrics::index_of(metrics::LimitCause::dns_answer_cut)].value();
  count_dns_trouble(true, false);
  count_dns_trouble(true, true);
  count_dns_trouble(false, false);
  EXPECT_EQ(hits[metrics::index_of(metrics::LimitCause::dns_budget_spent)].value(), spent + 2);
  EXPECT_EQ(hits[metrics::index_of(metrics::LimitCause::dns_answer_cut)].value(), cut + 1);
}

}  // namespace
}  // namespace authmilter::evaluation
