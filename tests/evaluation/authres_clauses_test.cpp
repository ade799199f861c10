// The dmarc= clause, checked against stored strings.
#include "evaluation/authres_clauses.h"

#include <gtest/gtest.h>

namespace authmilter::evaluation {
namespace {

DmarcStep failing_step() {
  DmarcStep step;
  step.authors.verdict = dmarc::AuthorVerdict::evaluate;
  dmarc::DmarcResult result;
  result.code = dmarc::DmarcCode::fail;
  result.from_domain = "example.com";
  result.record.emplace();
  result.record->p = dmarc::Disposition::reject;
  result.record->sp = dmarc::Disposition::quarantine;
  step.result = result;
  step.decision.disposition = dmarc::Disposition::quarantine;
  step.decision.overrides.push_back({decision::OverrideReason::mailing_list, "List-Id"});
  return step;
}

TEST(DmarcClause, FailWithOverride) {
  EXPECT_EQ(authres::format_authres("mx.example.net", {dmarc_clause(failing_step())}),
            "mx.example.net;\n\tdmarc=fail (p=reject sp=quarantine dis=quarantine; mailing_list)"
            " header.from=example.com policy.dmarc=quarantine");
}

TEST(DmarcClause, DryRunAndAmbiguousAuthor) {
  DmarcStep step = failing_step();
  step.decision.overrides.clear();
  step.decision.dry_run = true;
  EXPECT_EQ(dmarc_clause(step).comment, "p=reject sp=quarantine dis=quarantine; dry run");
  DmarcStep ambiguous;
  ambiguous.authors.verdict = dmarc::AuthorVerdict::reject;
  ambiguous.authors.reason = "2 From headers";
  ambiguous.decision.disposition = dmarc::Disposition::reject;
  const auto clause = dmarc_clause(ambiguous);
  EXPECT_EQ(clause.result, "permerror");
  EXPECT_EQ(clause.comment, "2 From headers dis=reject");
  ASSERT_EQ(clause.properties.size(), 1u);
  EXPECT_EQ(clause.properties[0].value, "reject");
}

}  // namespace
}  // namespace authmilter::evaluation
