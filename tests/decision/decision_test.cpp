// The decision table of decision.h, one row per case: every author verdict, every DMARC code,
// every reject mode with every sign of indirect flow, overrides, quarantine modes and dry run.
#include "decision/decision.h"

#include <gtest/gtest.h>

namespace authmilter::decision {
namespace {

using dmarc::AuthorVerdict;
using dmarc::Disposition;
using dmarc::DmarcCode;

struct Row {
  const char* id;
  AuthorVerdict author;
  DmarcCode code;
  Disposition requested;
  RejectMode mode;
  IndirectFlowSigns signs;
  const char* client;  // "" = none
  Action action;
  Disposition disposition;
  std::vector<OverrideReason> reasons;
};

DecisionInput input_for(const Row& row) {
  DecisionInput input;
  input.author = row.author;
  input.author_reason = "test";
  input.dmarc.code = row.code;
  input.dmarc.from_domain = "example.com";
  input.dmarc.published = row.requested;
  input.dmarc.requested = row.requested;
  input.signs = row.signs;
  if (*row.client) input.client = net::IpAddress::parse(row.client);
  return input;
}

std::vector<OverrideReason> reasons_of(const Decision& decision) {
  std::vector<OverrideReason> reasons;
  for (const auto& item : decision.overrides) reasons.push_back(item.reason);
  return reasons;
}

constexpr auto kEval = AuthorVerdict::evaluate;
constexpr auto kNone = Disposition::none;
constexpr auto kQuar = Disposition::quarantine;
constexpr auto kRej = Disposition::reject;
constexpr auto kRfc = RejectMode::rfc9989;
const IndirectFlowSigns kNoSigns{};
const IndirectFlowSigns kList{true, ""};
const IndirectFlowSigns kArc{false, "lists.example.net"};  // a chain that passes

const std::vector<Row> kTable = {
    {"pass", kEval, DmarcCode::pass, kNone, kRfc, kNoSigns, "", Action::deliver, kNone, {}},
    {"none", kEval, DmarcCode::none, kNone, kRfc, kNoSigns, "", Action::deliver, kNone, {}},
    {"permerror",
     kEval,
     DmarcCode::permerror,
     kNone,
     kRfc,
     kNoSigns,
     "",
     Action::deliver,
     kNone,
     {}},
    {"fail-p-none", kEval, DmarcCode::fail, kNone, kRfc, kNoSigns, "", Action::deliver, kNone, {}},
    {"fail-quarantine",
     kEval,
     DmarcCode::fail,
     kQuar,
     kRfc,
     kNoSigns,
     "",
     Action::quarantine,
     kQuar,
     {}},
    {"fail-quarantine-list",
     kEval,
     DmarcCode::fail,
     kQuar,
     kRfc,
     kList,
     "",
     Action::quarantine,
     kQuar,
     {}},
    {"fail-reject-rfc9989-direct",
     kEval,
     DmarcCode::fail,
     kRej,
     kRfc,
     kNoSigns,
     "192.0.2.1",
     Action::reject,
     kRej,
     {}},
    {"fail-reject-rfc9989-list",
     kEval,
     DmarcCode::fail,
     kRej,
     kRfc,
     kList,
     "",
     Action::quarantine,
     kQuar,
     {OverrideReason::mailing_list}},
    {"fail-reject-rfc9989-arc",
     kEval,
     DmarcCode::fail,
     kRej,
     kRfc,
     kArc,
     "",
     Action::quarantine,
     kQuar,
     {OverrideReason::forwarded}},
    {"fail-reject-rfc9989-forwarder-ip",
     kEval,
     DmarcCode::fail,
     kRej,
     kRfc,
     kNoSigns,
     "198.51.100.7",
     Action::quarantine,
     kQuar,
     {OverrideReason::trusted_forwarder}},
    {"fail-reject-honor-list",
     kEval,
     DmarcCode::fail,
     kRej,
     RejectMode::honor,
     kList,
     "198.51.100.7",
     Action::reject,
     kRej,
     {}},
    {"fail-reject-never",
     kEval,
     DmarcCode::fail,
     kRej,
     RejectMode::never,
     kNoSigns,
     "",
     Action::quarantine,
     kQuar,
     {OverrideReason::local_policy}},
    {"author-reject",
     AuthorVerdict::reject,
     DmarcCode::none,
     kNone,
     kRfc,
     kNoSigns,
     "",
     Action::reject,
     kRej,
     {}},
    {"author-no-author",
     AuthorVerdict::no_author,
     DmarcCode::none,
     kNone,
     kRfc,
     kNoSigns,
     "",
     Action::reject,
     kRej,
     {}},
    {"author-invalid",
     AuthorVerdict::invalid,
     DmarcCode::none,
     kNone,
     kRfc,
     kNoSigns,
     "",
     Action::reject,
     kRej,
     {}},
    {"author-fail-p-none",
     AuthorVerdict::fail,
     DmarcCode::fail,
     kNone,
     kRfc,
     kNoSigns,
     "",
     Action::quarantine,
     kQuar,
     {OverrideReason::local_policy}},
    {"author-fail-p-reject",
     AuthorVerdict::fail,
     DmarcCode::fail,
     kRej,
     kRfc,
     kNoSigns,
     "",
     Action::reject,
     kRej,
     {OverrideReason::local_policy}},
    {"temperror-accept",
     kEval,
     DmarcCode::temperror,
     kNone,
     kRfc,
     kNoSigns,
     "",
     Action::deliver,
     kNone,
     {}},
};

class DecisionTable : public ::testing::TestWithParam<Row> {};

TEST_P(DecisionTable, Row) {
  const Row& row = GetParam();
  LocalPolicy policy;
  policy.reject = row.mode;
  policy.forwarders.networks.push_back(*net::CidrBlock::parse("198.51.100.0/24"));
  const Decision decision = decide(input_for(row), policy);
  EXPECT_EQ(decision.action, row.action) << to_string(decision.action) << ": " << decision.why;
  EXPECT_EQ(decision.intended, row.action);
  EXPECT_EQ(decision.disposition, row.disposition);
  EXPECT_EQ(reasons_of(decision), row.reasons);
  if (row.action == Action::reject) {
    EXPECT_EQ(decision.refusal.code, "550");
    EXPECT_EQ(decision.refusal.enhanced, "5.7.1");
  }
  EXPECT_EQ(decision.hold, row.action == Action::quarantine);
  EXPECT_FALSE(decision.add_header);
}

std::string row_name(const ::testing::TestParamInfo<Row>& row) {
  std::string name = row.param.id;
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(All, DecisionTable, ::testing::ValuesIn(kTable), row_name);

DecisionInput failing_reject(const char* domain) {
  DecisionInput input;
  input.dmarc.code = DmarcCode::fail;
  input.dmarc.from_domain = domain;
  input.dmarc.published = input.dmarc.requested = Disposition::reject;
  return input;
}

TEST(Decision, RejectTextNamesTheDomainAndIsSanitised) {
  LocalPolicy policy;
  policy.reject_text = "No: DMARC of %d\r\nforged %x";
  const Decision decision = decide(failing_reject("evil.example"), policy);
  EXPECT_EQ(decision.refusal.text, "No: DMARC of evil.example  forged %x");
  const Decision odd = decide(failing_reject("a b\r\n.example"), policy);
  EXPECT_EQ(odd.refusal.text.find('\r'), std::string::npos) << odd.refusal.text;
  EXPECT_NE(odd.refusal.text.find("a?b??.example"), std::string::npos) << odd.refusal.text;
}

TEST(Decision, TemperrorTempfailsWhenConfigured) {
  LocalPolicy policy;
  policy.on_temperror = TemperrorMode::tempfail;
  DecisionInput input;
  input.dmarc.code = DmarcCode::temperror;
  input.dmarc.from_domain = "example.com";
  const Decision decision = decide(input, policy);
  EXPECT_EQ(decision.action, Action::tempfail);
  EXPECT_EQ(decision.refusal.code, "451");
  EXPECT_EQ(decision.refusal.enhanced.substr(0, 4), "4.7.");
}

TEST(Decision, ForwarderDomainThatPassedSpfOrDkim) {
  LocalPolicy policy;
  policy.forwarders.domains = {"lists.example.org"};
  DecisionInput input = failing_reject("example.com");
  EXPECT_EQ(decide(input, policy).action, Action::reject);
  input.spf_pass_domain = "bounce.lists.example.org";
  EXPECT_EQ(decide(input, policy).action, Action::quarantine);
  input.spf_pass_domain = "notlists.example.org";  // not a label boundary
  EXPECT_EQ(decide(input, policy).action, Action::reject);
  input.dkim_pass_domains = {"lists.example.org"};
  const Decision decision = decide(input, policy);
  EXPECT_EQ(decision.action, Action::quarantine);
  ASSERT_EQ(decision.overrides.size(), 1u);
  EXPECT_EQ(decision.overrides[0].reason, OverrideReason::trusted_forwarder);
}

// A trusted sealer's ARC-Authentication-Results rescue a failing message from any requested
// disposition, under every reject mode, and name the sealer and instance; never an ambiguous From.
TEST(Decision, TrustedArcVouchDeliversAndSaysWhy) {
  DecisionInput input = failing_reject("example.com");
  input.signs.arc_pass_sealer = "lists.example.net";
  input.trusted_arc = TrustedArcVouch{"lists.example.net", 1, "dkim=pass header.d=example.com"};
  for (RejectMode mode : {RejectMode::rfc9989, RejectMode::honor, RejectMode::never}) {
    LocalPolicy policy;
    policy.reject = mode;
    const Decision decision = decide(input, policy);
    EXPECT_EQ(decision.action, Action::deliver);
    EXPECT_EQ(decision.disposition, Disposition::none);
    ASSERT_EQ(decision.overrides.size(), 1u);
    EXPECT_EQ(decision.overrides[0].reason, OverrideReason::trusted_forwarder);
    EXPECT_EQ(decision.overrides[0].comment,
              "ARC sealer lists.example.net i=1: dkim=pass header.d=example.com");
  }
  input.dmarc.requested = Disposition::quarantine;
  EXPECT_EQ(decide(input, LocalPolicy{}).action, Action::deliver);
  input.dmarc.published = input.dmarc.requested = Disposition::none;  // nothing to override
  EXPECT_TRUE(decide(input, LocalPolicy{}).overrides.empty());
  input.dmarc.published = input.dmarc.requested = Disposition::reject;
  input.author = AuthorVerdict::fail;  // several From domains: the vouch does not cover them
  EXPECT_EQ(decide(input, LocalPolicy{}).action, Action::quarantine);
}

// Without a trusted vouch a passing chain is only a sign of indirect flow; no chain (or a failed
// one, which the caller reports as no sealer) leaves a p=reject failure rejected.
TEST(Decision, OnlyAPassingArcChainIsASignOfIndirectFlow) {
  DecisionInput input = failing_reject("example.com");
  EXPECT_EQ(decide(input, LocalPolicy{}).action, Action::reject);
  input.signs.arc_pass_sealer = "lists.example.net";
  const Decision decision = decide(input, LocalPolicy{});
  EXPECT_EQ(decision.action, Action::quarantine);
  ASSERT_EQ(decision.overrides.size(), 1u);
  EXPECT_EQ(decision.overrides[0].reason, OverrideReason::forwarded);
  EXPECT_NE(decision.overrides[0].comment.find("lists.example.net"), std::string::npos);
}

TEST(Decision, PerDomainOverrides) {
  LocalPolicy policy;
  policy.reject = RejectMode::honor;
  policy.overrides = {{"example.org", RejectMode::never, std::nullopt},
                      {"partner.example", std::nullopt, Disposition::none},
                      {"sub.partner.example", std::nullopt, Disposition::quarantine}};
  EXPECT_EQ(decide(failing_reject("example.com"), policy).action, Action::reject);
  EXPECT_EQ(decide(failing_reject("mail.example.org"), policy).action, Action::quarantine);
  const Decision capped = decide(failing_reject("partner.example"), policy);
  EXPECT_EQ(capped.action, Action::deliver);
  EXPECT_EQ(capped.disposition, Disposition::none);
  ASSERT_EQ(capped.overrides.size(), 1u);
  EXPECT_EQ(capped.overrides[0].reason, OverrideReason::local_policy);
  // Longest match wins.
  EXPECT_EQ(decide(failing_reject("x.sub.partner.example"), policy).action, Action::quarantine);
}

// With several authors (multiple_from: strictest or fail) the strictest result names one
// domain; a lenient override for that one must not relax the verdict on a co-author.
TEST(Decision, OverrideWithSeveralAuthorsNeedsEveryAuthorDomain) {
  LocalPolicy policy;
  policy.reject = RejectMode::honor;
  policy.overrides = {{"partner.example", RejectMode::never, Disposition::none},
                      {"group.example", std::nullopt, Disposition::quarantine}};
  DecisionInput mixed = failing_reject("partner.example");
  mixed.author_domains = {"partner.example", "victim.example"};
  const Decision strict = decide(mixed, policy);
  EXPECT_EQ(strict.action, Action::reject);
  EXPECT_TRUE(strict.overrides.empty());
  mixed.author = AuthorVerdict::fail;
  EXPECT_EQ(decide(mixed, policy).action, Action::reject);
  // Every author under one override: it applies, as for a single author.
  DecisionInput shared = failing_reject("a.group.example");
  shared.author_domains = {"a.group.example", "b.group.example"};
  EXPECT_EQ(decide(shared, policy).action, Action::quarantine);
  shared.author_domains = {"partner.example"};
  shared.dmarc.from_domain = "partner.example";
  EXPECT_EQ(decide(shared, policy).action, Action::deliver);
}

TEST(Decision, QuarantineModes) {
  DecisionInput input = failing_reject("example.com");
  input.dmarc.requested = Disposition::quarantine;
  LocalPolicy policy;
  policy.quarantine = QuarantineMode::header;
  Decision decision = decide(input, policy);
  EXPECT_FALSE(decision.hold);
  EXPECT_TRUE(decision.add_header);
  policy.quarantine = QuarantineMode::both;
  decision = decide(input, policy);
  EXPECT_TRUE(decision.hold);
  EXPECT_TRUE(decision.add_header);
}

TEST(Decision, DryRunNeverActsButKeepsTheVerdict) {
  LocalPolicy policy;
  policy.dry_run = true;
  policy.quarantine = QuarantineMode::both;
  const Decision decision = decide(failing_reject("example.com"), policy);
  EXPECT_EQ(decision.action, Action::deliver);
  EXPECT_EQ(decision.intended, Action::reject);
  EXPECT_EQ(decision.disposition, Disposition::reject);
  EXPECT_TRUE(decision.dry_run);
  DecisionInput quarantine = failing_reject("example.com");
  quarantine.dmarc.requested = Disposition::quarantine;
  const Decision held = decide(quarantine, policy);
  EXPECT_EQ(held.action, Action::deliver);
  EXPECT_FALSE(held.hold);
  EXPECT_FALSE(held.add_header);
}

TEST(Decision, TestingModeDowngradeIsRecorded) {
  DecisionInput input = failing_reject("example.com");
  input.dmarc.requested = Disposition::quarantine;  // t=y lowered reject by one level
  const Decision decision = decide(input, LocalPolicy{});
  EXPECT_EQ(decision.action, Action::quarantine);
  ASSERT_EQ(decision.overrides.size(), 1u);
  EXPECT_EQ(decision.overrides[0].reason, OverrideReason::sampled_out);
}

TEST(Decision, NoAuthorModes) {
  DecisionInput input;
  input.author = AuthorVerdict::no_author;
  LocalPolicy policy;
  policy.no_author = NoAuthorMode::accept;
  EXPECT_EQ(decide(input, policy).action, Action::deliver);
  policy.no_author = NoAuthorMode::quarantine;
  EXPECT_EQ(decide(input, policy).action, Action::quarantine);
}

}  // namespace
}  // namespace authmilter::decision
