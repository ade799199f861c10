// run_dmarc_step: SPF/DKIM temperrors of the author's own identifiers make DMARC temperror (a DNS
// outage never turns the author's signed mail into a 550), unless the message's DNS budget was
// spent: then the sender may have caused them with slow zones of its own, and the fail stands.
#include <gtest/gtest.h>

#include "dns/zone_resolver.h"
#include "evaluation/dmarc_step.h"

namespace authmilter::evaluation {
namespace {

TEST(DmarcStepTemperror, AuthorsDkimKeyTemperrorIsDmarcTemperrorUnlessTheBudgetWasSpent) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.author.example", "v=DMARC1; p=reject");
  const std::optional<spf::SpfResult> spf = spf::SpfResult{
      spf::SpfCode::temperror, spf::SpfScope::mailfrom, "author.example", "timeout", "", 1};
  dkim::DkimResult key_timeout;
  key_timeout.code = dkim::DkimCode::temperror;
  key_timeout.domain = "author.example";
  key_timeout.reason = "key lookup timed out";
  const std::vector<dkim::DkimResult> dkim{key_timeout};
  DmarcStepInput input;
  input.from_values = {" <user@author.example>"};
  input.spf = &spf;
  input.dkim = &dkim;
  const decision::LocalPolicy policy;
  const auto outage = run_dmarc_step(input, zone, {}, policy);
  ASSERT_TRUE(outage.result.has_value());
  EXPECT_EQ(outage.result->code, dmarc::DmarcCode::temperror) << outage.result->reason;
  EXPECT_NE(outage.decision.action, decision::Action::reject);

  input.dns_budget_spent = true;
  const auto spent = run_dmarc_step(input, zone, {}, policy);
  ASSERT_TRUE(spent.result.has_value());
  EXPECT_EQ(spent.result->code, dmarc::DmarcCode::fail) << spent.result->reason;
  EXPECT_EQ(spent.decision.action, decision::Action::reject);
}

}  // namespace
}  // namespace authmilter::evaluation
