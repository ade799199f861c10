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

namespace authmilter::evaluation {
namespace {

arc::ArcResult two_hop_chain() {
  arc::ArcResult result;
  result.code = arc::ArcCode::pass;
  result.oldest_pass = 1;
  for (unsigned i = 1; i <= 2; ++i) {
    arc::ArcInstance set;
    set.instance = i;
    set.seal.domain = i == 1 ? "fwd.example" : "lists.example.org";
    set.seal.selector = "s" + std::to_string(i);
    set.message.domain = set.seal.domain;
    set.message.selector = "m" + std::to_string(i);
    result.instances.push_back(set);
  }
  return result;
}

TEST(ArcClause, PassNamesTheSealersNewestFirstAndTheOldestPass) {
  const auto clause = arc_clause(two_hop_chain(), net::IpAddress::parse("192.0.2.1"));
  EXPECT_EQ(authres::format_authres("mx.example.net", {clause}),
            "mx.example.net;\n\tarc=pass (i=2; as.2.d=lists.example.org as.2.s=s2; "
            "as.1.d=fwd.example as.1.s=s1; ams.2.d=lists.example.org ams.2.s=m2) "
            "smtp.remote-ip=192.0.2.1 header.oldest-pass=1")
      << authres::format_authres("mx.example.net", {clause});
}

// With a trust anchor, each key's DNSSEC status follows its sealer, as the dkim clause says it.
TEST(ArcClause, KeyDnssecStatusWhenValidated) {
  auto chain = two_hop_chain();
  chain.instances[1].seal.key_bits = 2048;
  chain.instances[1].seal.dnssec = arc::KeyDnssec::secure;
  chain.instances[1].message.key_bits = 2048;
  chain.instances[1].message.dnssec = arc::KeyDnssec::insecure;
  const auto clause = arc_clause(chain, std::nullopt);
  EXPECT_EQ(clause.comment,
            "i=2; as.2.d=lists.example.org as.2.s=s2 2048-bit key secure; as.1.d=fwd.example "
            "as.1.s=s1; ams.2.d=lists.example.org ams.2.s=m2 2048-bit key insecure");
}

TEST(ArcClause, FailGivesTheReasonAndNoOldestPass) {
  auto chain = two_hop_chain();
  chain.code = arc::ArcCode::fail;
  chain.reason = "seal i=1 signature mismatch";
  const auto clause = arc_clause(chain, std::nullopt);
  EXPECT_EQ(clause.result, "fail");
  EXPECT_NE(clause.comment.find("seal i=1 signature mismatch"), std::string::npos);
  EXPECT_TRUE(clause.properties.empty());
  arc::ArcResult none;
  EXPECT_EQ(arc_clause(none, std::nullopt).result, "none");
}

// A sealer's d= comes from the message: it must not be able to end our header line.
TEST(ArcClause, HostileSealerDomainCannotInjectALine) {
  auto chain = two_hop_chain();
  chain.instances[1].seal.domain =
      "evil.example\r\nAuthentication-Results: mx.example.net; arc=pass";
  const std::string header =
      authres::format_authres("mx.example.net", {arc_clause(chain, std::nullopt)});
  for (std::size_t at = header.find('\n'); at != std::string::npos; at = header.find('\n', at + 1))
    EXPECT_EQ(header[at + 1], '\t') << header;  // every line break is our own fold
  EXPECT_EQ(header.find('\r'), std::string::npos) << header;
}

}  // namespace
}  // namespace authmilter::evaluation
