// The dkim= and dmarc= clauses, checked against stored strings.
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

dkim::DkimResult signature(dkim::DkimCode code, const std::string& domain) {
  dkim::DkimResult result;
  result.code = code;
  result.domain = domain;
  result.identity = "@" + domain;
  result.selector = "s";
  result.algorithm = "rsa-sha256";
  result.signature_prefix = "abcdefgh";
  return result;
}

TEST(DkimClauses, OneClausePerSignatureOrNone) {
  EXPECT_EQ(authres::format_authres("mx", dkim_clauses({}, 5)), "mx;\n\tdkim=none (no signatures)");
  const auto clauses = dkim_clauses(
      {signature(dkim::DkimCode::pass, "a.example"), signature(dkim::DkimCode::fail, "b.example")},
      2);
  ASSERT_EQ(clauses.size(), 2u);
  EXPECT_EQ(clauses[0].result, "pass");
  EXPECT_EQ(clauses[1].result, "fail");
  EXPECT_EQ(clauses[1].properties[0].value, "b.example");
}

// Signatures beyond dkim.max_signatures are not listed one by one: 1000 signature fields of
// long names would otherwise make a header of megabytes.
TEST(DkimClauses, SignaturesBeyondTheLimitShareOneClause) {
  std::vector<dkim::DkimResult> results(
      1000, signature(dkim::DkimCode::policy, std::string(240, 'd') + ".example"));
  results[0] = signature(dkim::DkimCode::pass, "a.example");
  const auto clauses = dkim_clauses(results, 5);
  ASSERT_EQ(clauses.size(), 6u);
  EXPECT_EQ(clauses[0].result, "pass");
  EXPECT_EQ(clauses[5].result, "policy");
  EXPECT_EQ(clauses[5].comment,
            "995 more signatures not verified or listed (more than 5 signatures)");
  EXPECT_TRUE(clauses[5].properties.empty());
  EXPECT_LT(authres::format_authres("mx", clauses).size(), 3000u);
  EXPECT_EQ(dkim_clauses(std::vector<dkim::DkimResult>(5, results[0]), 5).size(), 5u);
}

}  // namespace
}  // namespace authmilter::evaluation
