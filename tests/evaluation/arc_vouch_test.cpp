// Trusted ARC sealers: which ARC-Authentication-Results are believed (arc_vouch.h), and how
// run_dmarc_step() turns one into a TrustedArcVouch only when it makes DMARC pass.
#include "evaluation/arc_vouch.h"

#include <gtest/gtest.h>

#include "dns/zone_resolver.h"
#include "evaluation/dmarc_step.h"

namespace authmilter::evaluation {
namespace {

arc::ArcInstance sealed_by(unsigned i, const std::string& sealer, const std::string& aar) {
  arc::ArcInstance instance;
  instance.instance = i;
  instance.chain_validation = i == 1 ? "none" : "pass";
  instance.seal.domain = sealer;
  instance.seal.verified = true;
  instance.message.domain = sealer;
  instance.message.verified = true;
  instance.authentication_results = aar;
  return instance;
}

arc::ArcResult passing_chain(std::vector<arc::ArcInstance> instances) {
  arc::ArcResult result;
  result.code = arc::ArcCode::pass;
  result.instances = std::move(instances);
  result.oldest_pass = 1;
  return result;
}

const std::vector<std::string> kTrusted = {"lists.example.net", "forwarder.example"};

TEST(ArcSealerViews, ReadsTheTrustedSealersResultsNewestFirst) {
  const auto chain = passing_chain(
      {sealed_by(1, "mx.forwarder.example",
                 "mx.forwarder.example; spf=pass smtp.mailfrom=joe@author.example; "
                 "dkim=pass header.i=@author.example; dmarc=pass header.from=Author.Example"),
       sealed_by(2, "lists.example.net",
                 "lists.example.net; spf=pass smtp.mfrom=bounce@forwarder.example; dkim=fail "
                 "header.d=author.example")});
  const auto views = arc_sealer_views(chain, 0, kTrusted);
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[1].instance, 1u);
  EXPECT_EQ(views[1].sealer, "mx.forwarder.example");
  EXPECT_EQ(views[1].spf_pass_domain, "author.example");
  EXPECT_EQ(views[1].dkim_pass_domains, std::vector<std::string>{"author.example"});
  EXPECT_EQ(views[1].dmarc_pass_from, "author.example");
  EXPECT_EQ(views[0].instance, 2u);
  EXPECT_EQ(views[0].spf_pass_domain, "forwarder.example");  // smtp.mfrom, as some write it
  EXPECT_TRUE(views[0].dkim_pass_domains.empty());           // dkim=fail is no evidence
}

// An untrusted hop between the newest seal and an older one could have forged the older sets:
// past the recorded minimum, the walk stops there.
TEST(ArcSealerViews, StopsAtTheFirstUntrustedSealerFromTheTop) {
  const std::string aar = "x.example; dkim=pass header.d=author.example";
  const auto chain =
      passing_chain({sealed_by(1, "lists.example.net", aar), sealed_by(2, "evil.example", aar),
                     sealed_by(3, "forwarder.example", aar)});
  const auto views = arc_sealer_views(chain, 0, kTrusted);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].instance, 3u);
  EXPECT_TRUE(
      arc_sealer_views(passing_chain({sealed_by(1, "evil.example", aar)}), 0, kTrusted).empty());
  // "notlists.example.net" is not under "lists.example.net".
  EXPECT_TRUE(
      arc_sealer_views(passing_chain({sealed_by(1, "notlists.example.net", aar)}), 0, kTrusted)
          .empty());
  // The recorded minimum is kept whatever the trust: another trusted list may be replayed.
  EXPECT_EQ(arc_sealer_views(chain, 2, kTrusted).size(), 2u);
  EXPECT_EQ(arc_sealer_views(chain, 8, {}).size(), 3u);
}

TEST(ArcSealerViews, OnlyAPassingChainAndParsableResultsCount) {
  auto chain = passing_chain({sealed_by(1, "lists.example.net",
                                        "lists.example.net; dkim=pass "
                                        "header.d=author.example")});
  for (arc::ArcCode code : {arc::ArcCode::fail, arc::ArcCode::none, arc::ArcCode::temperror}) {
    chain.code = code;
    EXPECT_TRUE(arc_sealer_views(chain, 8, kTrusted).empty()) << arc::to_string(code);
  }
  const auto unparsable = passing_chain({sealed_by(1, "lists.example.net", "(((unbalanced")});
  const auto views = arc_sealer_views(unparsable, 8, kTrusted);
  ASSERT_EQ(views.size(), 1u);  // the sealer is kept for the trust walk, with no identifiers
  EXPECT_TRUE(views[0].spf_pass_domain.empty() && views[0].dkim_pass_domains.empty() &&
              views[0].dmarc_pass_from.empty());
}

class ArcDmarcStepTest : public ::testing::Test {
 protected:
  ArcDmarcStepTest() {
    zone_.add_txt("_dmarc.author.example", "v=DMARC1; p=reject");
    zone_.add_txt("_dmarc.strict.example", "v=DMARC1; p=reject; adkim=s; aspf=s");
    policy_.trusted_arc_sealers = kTrusted;
  }

  DmarcStep run(const std::string& from, const arc::ArcResult& chain) {
    DmarcStepInput input;
    input.from_values = {" <joe@" + from + ">"};
    input.spf = &spf_;
    input.dkim = &dkim_;
    input.arc = &chain;
    if (chain.code == arc::ArcCode::pass) input.signs.arc_pass_sealer = "lists.example.net";
    return run_dmarc_step(input, zone_, options_, policy_);
  }

  dns::ZoneResolver zone_;
  dmarc::DmarcOptions options_;
  decision::LocalPolicy policy_;
  std::optional<spf::SpfResult> spf_;
  std::vector<dkim::DkimResult> dkim_;
};

TEST_F(ArcDmarcStepTest, AlignedDkimPassSeenByATrustedSealerDelivers) {
  const auto step =
      run("author.example", passing_chain({sealed_by(1, "lists.example.net",
                                                     "lists.example.net; dkim=pass "
                                                     "header.d=mail.author.example")}));
  ASSERT_TRUE(step.result);
  EXPECT_EQ(step.result->code, dmarc::DmarcCode::fail);  // DMARC itself still failed
  EXPECT_EQ(step.decision.action, decision::Action::deliver);
  ASSERT_EQ(step.decision.overrides.size(), 1u);
  EXPECT_EQ(step.decision.overrides[0].reason, decision::OverrideReason::trusted_forwarder);
  EXPECT_EQ(step.decision.overrides[0].comment,
            "ARC sealer lists.example.net i=1: dkim=pass header.d=mail.author.example");
}

// Relaxed alignment is re-run under the author's record: a strict record refuses the subdomain
// the sealer saw, and an unrelated domain never aligns; the chain is then only a sign of
// indirect flow (quarantine, forwarded).
TEST_F(ArcDmarcStepTest, WhatTheSealerSawMustAlignUnderTheAuthorsRecord) {
  const auto strict =
      run("strict.example", passing_chain({sealed_by(1, "lists.example.net",
                                                     "lists.example.net; dkim=pass "
                                                     "header.d=mail.strict.example")}));
  EXPECT_EQ(strict.decision.action, decision::Action::quarantine);
  ASSERT_EQ(strict.decision.overrides.size(), 1u);
  EXPECT_EQ(strict.decision.overrides[0].reason, decision::OverrideReason::forwarded);
  const auto unrelated =
      run("author.example", passing_chain({sealed_by(1, "lists.example.net",
                                                     "lists.example.net; spf=pass "
                                                     "smtp.mailfrom=x@other.example")}));
  EXPECT_EQ(unrelated.decision.action, decision::Action::quarantine);
}

TEST_F(ArcDmarcStepTest, DmarcPassForTheAuthorDomainCounts) {
  const auto step = run("author.example", passing_chain({sealed_by(1, "lists.example.net",
                                                                   "lists.example.net; dmarc=pass "
                                                                   "header.from=author.example")}));
  EXPECT_EQ(step.decision.action, decision::Action::deliver);
  const auto other = run("author.example", passing_chain({sealed_by(1, "lists.example.net",
                                                                    "lists.example.net; dmarc=pass "
                                                                    "header.from=other.example")}));
  EXPECT_EQ(other.decision.action, decision::Action::quarantine);
}

// The forged-seal bypass: a chain that does not verify is neither evidence nor a sign.
TEST_F(ArcDmarcStepTest, AFailedChainChangesNothing) {
  auto chain = passing_chain({sealed_by(
      1, "lists.example.net", "lists.example.net; dmarc=pass header.from=author.example")});
  chain.code = arc::ArcCode::fail;
  const auto step = run("author.example", chain);
  EXPECT_EQ(step.decision.action, decision::Action::reject);
  EXPECT_TRUE(step.decision.overrides.empty());
}

TEST_F(ArcDmarcStepTest, NoTrustedSealersNoVouch) {
  policy_.trusted_arc_sealers.clear();
  const auto step = run("author.example", passing_chain({sealed_by(1, "lists.example.net",
                                                                   "lists.example.net; dmarc=pass "
                                                                   "header.from=author.example")}));
  EXPECT_EQ(step.decision.action, decision::Action::quarantine);
}

}  // namespace
}  // namespace authmilter::evaluation
