// MessageEvaluation with DMARC and the local policy, over an in-memory zone: the RFC 8463
// pre-signed message (football.example.com, two DKIM signatures) and hand-built messages.
#include <gtest/gtest.h>

#include "dns/zone_resolver.h"
#include "evaluation/message_evaluation.h"
#include "support/evaluation_feed.h"
#include "support/suite_support.h"

namespace authmilter::evaluation {
namespace {

using authmilter::testing::feed;
using authmilter::testing::read_file;

std::string simple_message(const std::string& headers) {
  return headers + "To: <rcpt@example.net>\r\nSubject: hi\r\n\r\nHello.\r\n";
}

class DmarcPipelineTest : public ::testing::Test {
 protected:
  DmarcPipelineTest() {
    settings_.options.authserv_id = "mx.example.net";
    settings_.resolver = &zone_;
    auto library = dkim::DkimLibrary::create({});
    if (library.ok()) dkim_ = std::move(*library);
    settings_.dkim = dkim_.get();
    zone_.add_txt("brisbane._domainkey.football.example.com",
                  "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    zone_.add_txt("_dmarc.football.example.com", "v=DMARC1; p=reject");
    zone_.add_txt("_dmarc.reject.example", "v=DMARC1; p=reject; sp=quarantine");
    zone_.add_txt("reject.example", "v=spf1 ip4:192.0.2.0/24 -all");
    zone_.add_txt("_dmarc.strict.example", "v=DMARC1; p=reject; aspf=s");
    zone_.add_txt("strict.example", "v=spf1 -all");
    zone_.add_txt("sub.strict.example", "v=spf1 ip4:192.0.2.0/24 -all");
    zone_.add_txt("_dmarc.quarantine.example", "v=DMARC1; p=quarantine");
    zone_.add_txt("_dmarc.none.example", "v=DMARC1; p=none");
    zone_.add_txt("_dmarc.np.example", "v=DMARC1; p=none; np=reject");
    zone_.add_address("exists.np.example", *net::IpAddress::parse("192.0.2.9"));
    zone_.add_failure("_dmarc.broken.example", dns::RecordType::txt, dns::Outcome::servfail);
  }

  MessageOutcome run(const std::string& raw, const std::string& mail_from = "a@elsewhere.test",
                     const char* client = "203.0.113.5") {
    MessageEvaluation message(settings_, {net::IpAddress::parse(client), "client", "client"},
                              {mail_from, "", "", {}});
    message.check_sender();
    feed(message, raw);
    return message.end_of_message();
  }

  dns::ZoneResolver zone_;
  std::unique_ptr<dkim::DkimLibrary> dkim_;
  EvaluationSettings settings_;
};

TEST_F(DmarcPipelineTest, AlignedDkimPassUnderPReject) {
  ASSERT_NE(dkim_, nullptr);
  const auto outcome = run(read_file(AUTHMILTER_TEST_DATA "/dkim/rfc8463/rfc8463-a3-signed.eml"));
  ASSERT_TRUE(outcome.dmarc);
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::pass) << outcome.log_summary;
  EXPECT_EQ(outcome.decision().action, decision::Action::deliver);
  EXPECT_NE(outcome.authentication_results.find(
                "dmarc=pass (p=reject sp=reject dis=none) header.from=football.example.com"),
            std::string::npos)
      << outcome.authentication_results;
  EXPECT_NE(outcome.authentication_results.find("policy.dmarc=none"), std::string::npos);
}

TEST_F(DmarcPipelineTest, NothingAlignedUnderPRejectIsRejected) {
  const auto outcome = run(simple_message("From: Joe <joe@reject.example>\r\n"));
  EXPECT_EQ(outcome.decision().action, decision::Action::reject) << outcome.log_summary;
  EXPECT_EQ(outcome.decision().refusal.code, "550");
  EXPECT_EQ(outcome.decision().refusal.enhanced, "5.7.1");
  EXPECT_NE(outcome.decision().refusal.text.find("reject.example"), std::string::npos);
  EXPECT_NE(outcome.authentication_results.find("dmarc=fail (p=reject sp=quarantine dis=reject)"),
            std::string::npos)
      << outcome.authentication_results;
}

TEST_F(DmarcPipelineTest, AlignedSpfPassDelivers) {
  const auto outcome =
      run(simple_message("From: joe@reject.example\r\n"), "bounce@reject.example", "192.0.2.7");
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::pass) << outcome.log_summary;
  EXPECT_EQ(outcome.decision().action, decision::Action::deliver);
}

TEST_F(DmarcPipelineTest, StrictSpfAlignmentRefusesASubdomain) {
  const auto outcome =
      run(simple_message("From: joe@strict.example\r\n"), "bounce@sub.strict.example", "192.0.2.7");
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::fail) << outcome.log_summary;
  EXPECT_EQ(outcome.decision().action, decision::Action::reject);
}

TEST_F(DmarcPipelineTest, MailingListHeadersTurnRejectIntoQuarantine) {
  const auto outcome =
      run(simple_message("List-Id: <talk.lists.example>\r\nFrom: joe@reject.example\r\n"));
  EXPECT_EQ(outcome.decision().action, decision::Action::quarantine) << outcome.log_summary;
  EXPECT_TRUE(outcome.decision().hold);
  EXPECT_NE(outcome.authentication_results.find("dis=quarantine; mailing_list"), std::string::npos)
      << outcome.authentication_results;
}

TEST_F(DmarcPipelineTest, QuarantineByHeader) {
  settings_.options.local_policy.quarantine = decision::QuarantineMode::header;
  const auto outcome = run(simple_message("From: joe@quarantine.example\r\n"));
  EXPECT_EQ(outcome.decision().action, decision::Action::quarantine);
  EXPECT_FALSE(outcome.decision().hold);
  EXPECT_EQ(outcome.quarantine_header_name, "X-Spam-Flag");
  EXPECT_EQ(outcome.quarantine_header_value, "YES");
}

TEST_F(DmarcPipelineTest, PNoneDeliversWithFail) {
  const auto outcome = run(simple_message("From: joe@none.example\r\n"));
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::fail);
  EXPECT_EQ(outcome.decision().action, decision::Action::deliver);
}

TEST_F(DmarcPipelineTest, NpAppliesOnlyToNonExistentSubdomains) {
  EXPECT_EQ(run(simple_message("From: a@ghost.np.example\r\n")).decision().action,
            decision::Action::reject);
  EXPECT_EQ(run(simple_message("From: a@exists.np.example\r\n")).decision().action,
            decision::Action::deliver);
}

TEST_F(DmarcPipelineTest, TwoFromAddressesFollowTheConfiguredAnswer) {
  const std::string raw = simple_message("From: a@none.example, b@reject.example\r\n");
  auto outcome = run(raw);
  EXPECT_EQ(outcome.decision().action, decision::Action::reject) << outcome.log_summary;
  EXPECT_NE(outcome.authentication_results.find("dmarc=permerror"), std::string::npos);
  settings_.options.local_policy.multiple_from = dmarc::MultipleFromPolicy::strictest;
  outcome = run(raw);
  EXPECT_EQ(outcome.dmarc->result->from_domain, "reject.example");
  EXPECT_EQ(outcome.decision().action, decision::Action::reject);
  const std::string two_headers =
      simple_message("From: a@none.example\r\nFrom: b@none.example\r\n");
  settings_.options.local_policy.multiple_from = dmarc::MultipleFromPolicy::fail;
  outcome = run(two_headers);
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::fail);
  EXPECT_EQ(outcome.decision().action, decision::Action::quarantine);
}

TEST_F(DmarcPipelineTest, NoFromIsConfigurable) {
  EXPECT_EQ(run(simple_message("")).decision().action, decision::Action::reject);
  settings_.options.local_policy.no_author = decision::NoAuthorMode::accept;
  const auto outcome = run(simple_message(""));
  EXPECT_EQ(outcome.decision().action, decision::Action::deliver);
  EXPECT_NE(outcome.authentication_results.find("dmarc=none"), std::string::npos);
}

// Even with no_from: accept, a usable author beside a broken one is judged, not waved through
// as "no From" (the CVE-2019-16378 class).
TEST_F(DmarcPipelineTest, UsableAuthorBesideABrokenOneIsNeverNoFrom) {
  settings_.options.local_policy.no_author = decision::NoAuthorMode::accept;
  for (const char* from :
       {"From: ceo@reject.example, x\r\n", "From: ceo@reject.example, x@[192.0.2.1]\r\n",
        "From: ceo@reject.example\r\nFrom: undisclosed:;\r\n"}) {
    SCOPED_TRACE(from);
    settings_.options.local_policy.multiple_from = dmarc::MultipleFromPolicy::reject;
    auto outcome = run(simple_message(from));
    EXPECT_EQ(outcome.decision().action, decision::Action::reject) << outcome.log_summary;
    settings_.options.local_policy.multiple_from = dmarc::MultipleFromPolicy::strictest;
    outcome = run(simple_message(from));
    ASSERT_TRUE(outcome.dmarc && outcome.dmarc->result) << outcome.log_summary;
    EXPECT_EQ(outcome.dmarc->result->from_domain, "reject.example");
    EXPECT_EQ(outcome.decision().action, decision::Action::reject) << outcome.log_summary;
  }
}

// A lenient override for one author must not carry a co-author's failure through.
TEST_F(DmarcPipelineTest, OverrideOfOneAuthorDoesNotCoverAnother) {
  settings_.options.local_policy.multiple_from = dmarc::MultipleFromPolicy::strictest;
  settings_.options.local_policy.overrides = {
      {"football.example.com", decision::RejectMode::never, dmarc::Disposition::none}};
  const auto outcome = run(simple_message("From: a@football.example.com, ceo@reject.example\r\n"));
  EXPECT_EQ(outcome.decision().action, decision::Action::reject) << outcome.log_summary;
  EXPECT_EQ(run(simple_message("From: a@football.example.com\r\n")).decision().action,
            decision::Action::deliver);
}

TEST_F(DmarcPipelineTest, DnsFailureIsTemperrorAndConfigurable) {
  const std::string raw = simple_message("From: a@broken.example\r\n");
  auto outcome = run(raw);
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::temperror);
  EXPECT_EQ(outcome.decision().action, decision::Action::deliver);
  settings_.options.local_policy.on_temperror = decision::TemperrorMode::tempfail;
  outcome = run(raw);
  EXPECT_EQ(outcome.decision().action, decision::Action::tempfail);
  EXPECT_EQ(outcome.decision().refusal.code, "451");
}

// A temperror that still found the policy (the SPF domain's org lookup failed): reported when the
// message is accepted; answered 4xx it is not received, and only its retry will be counted.
TEST_F(DmarcPipelineTest, TempfailedMessageLeavesNoReportRow) {
  zone_.add_txt("sub.reject.example", "v=spf1 ip4:192.0.2.0/24 -all");
  zone_.add_failure("_dmarc.sub.reject.example", dns::RecordType::txt, dns::Outcome::servfail);
  const std::string raw = simple_message("From: a@reject.example\r\n");
  auto outcome = run(raw, "b@sub.reject.example", "192.0.2.7");
  ASSERT_TRUE(outcome.dmarc && outcome.dmarc->result);
  EXPECT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::temperror) << outcome.log_summary;
  EXPECT_TRUE(outcome.report_row.has_value());
  settings_.options.local_policy.on_temperror = decision::TemperrorMode::tempfail;
  outcome = run(raw, "b@sub.reject.example", "192.0.2.7");
  EXPECT_EQ(outcome.decision().action, decision::Action::tempfail);
  EXPECT_FALSE(outcome.report_row.has_value());
}

TEST_F(DmarcPipelineTest, DryRunReportsButDoesNotAct) {
  settings_.options.local_policy.dry_run = true;
  const auto outcome = run(simple_message("From: joe@reject.example\r\n"));
  EXPECT_EQ(outcome.decision().action, decision::Action::deliver);
  EXPECT_EQ(outcome.decision().intended, decision::Action::reject);
  EXPECT_NE(outcome.authentication_results.find("dis=reject; dry run"), std::string::npos)
      << outcome.authentication_results;
}

TEST_F(DmarcPipelineTest, TrustedNetworksAreNeverJudged) {
  settings_.options.trusted_networks.push_back(*net::CidrBlock::parse("203.0.113.0/24"));
  const auto outcome = run(simple_message("From: joe@reject.example\r\n"));
  EXPECT_FALSE(outcome.dmarc);
  EXPECT_EQ(outcome.decision().action, decision::Action::deliver);
}

}  // namespace
}  // namespace authmilter::evaluation

namespace authmilter::evaluation {
namespace {

TEST_F(DmarcPipelineTest, ReportRowCarriesEveryResultOfTheMessage) {
  zone_.add_txt("_dmarc.rows.example",
                "v=DMARC1; p=reject; sp=none; adkim=s; rua=mailto:agg@rows.example!10m");
  zone_.add_txt("rows.example", "v=spf1 ip4:192.0.2.0/24 -all");
  MessageEvaluation message(
      settings_, {net::IpAddress::parse("192.0.2.7"), "client", "client"},
      {"bounce@rows.example", "", "Q1D", {"a@Dest.example", "b@dest.example"}});
  message.check_sender();
  feed(message, simple_message("From: <joe@rows.example>\r\n"));
  const auto outcome = message.end_of_message();
  ASSERT_TRUE(outcome.report_row) << outcome.log_summary;
  const report::ReportRecord& row = *outcome.report_row;
  EXPECT_EQ(row.source_ip, "192.0.2.7");
  EXPECT_EQ(row.header_from, "rows.example");
  EXPECT_EQ(row.envelope_from, "rows.example");
  EXPECT_EQ(row.envelope_to, std::vector<std::string>{"dest.example"});
  EXPECT_EQ(row.spf_result, "pass");
  EXPECT_EQ(row.spf_scope, "mfrom");
  EXPECT_EQ(row.spf_aligned, "pass");
  EXPECT_EQ(row.dkim_aligned, "fail");
  ASSERT_EQ(row.dkim.size(), 0u);  // unsigned
  EXPECT_EQ(row.dmarc_result, "pass");
  EXPECT_EQ(row.disposition, "none");
  EXPECT_EQ(row.policy.domain, "rows.example");
  EXPECT_EQ(row.policy.p, "reject");
  EXPECT_EQ(row.policy.sp, "none");
  EXPECT_EQ(row.policy.adkim, "s");
  EXPECT_EQ(row.policy.discovery, "treewalk");
  EXPECT_NE(row.policy.rua.find("mailto:agg@rows.example"), std::string::npos);
  EXPECT_EQ(row.queue_id, "Q1D");
  EXPECT_GT(row.time, 0);
}

TEST_F(DmarcPipelineTest, ReportRowOfARejectedMessageSaysReject) {
  const auto outcome = run(simple_message("From: Joe <joe@reject.example>\r\n"));
  ASSERT_TRUE(outcome.report_row);
  EXPECT_EQ(outcome.report_row->disposition, "reject");
  EXPECT_EQ(outcome.report_row->dmarc_result, "fail");
}

TEST_F(DmarcPipelineTest, NoReportRowWithoutAPolicy) {
  const auto outcome = run(simple_message("From: <joe@unpublished.example>\r\n"));
  EXPECT_FALSE(outcome.report_row);
}

}  // namespace
}  // namespace authmilter::evaluation
