// Whole messages through MessageEvaluation (an in-memory zone, the RFC 8463 signed message)
// into a failure record, then into an ARF report read back with GMime: the RFC 6591 / RFC 9991
// fields for SPF-only, DKIM-only and both failing; and nothing recorded when disabled.
#include <gtest/gtest.h>

#include "arf_reader.h"
#include "dns/zone_resolver.h"
#include "evaluation/message_evaluation.h"
#include "report/failure_mail.h"
#include "support/evaluation_feed.h"
#include "support/message_parts.h"
#include "support/suite_support.h"

namespace authmilter::evaluation {
namespace {

using authmilter::testing::feed;
using authmilter::testing::read_file;
using authmilter::testing::to_crlf;
using report::testing::read_arf;

// The RFC 8463 message with only its Ed25519 signature (s=brisbane), CRLF line ends.
std::string signed_message() {
  std::string raw = read_file(AUTHMILTER_TEST_DATA "/dkim/rfc8463/rfc8463-a3-signed.eml");
  const auto rsa = raw.find("DKIM-Signature: v=1; a=rsa-sha256");
  const auto from = raw.find("From: Joe SixPack");
  raw.erase(rsa, from - rsa);
  return to_crlf(raw);
}

constexpr const char* kSpfRecord = "v=spf1 ip4:192.0.2.0/24 -all";
constexpr const char* kInsideSpf = "192.0.2.7";
constexpr const char* kOutsideSpf = "203.0.113.5";

class FailureFieldsTest : public ::testing::Test {
 protected:
  FailureFieldsTest() {
    settings_.options.authserv_id = "mx.example.net";
    settings_.resolver = &zone_;
    auto library = dkim::DkimLibrary::create({});
    if (library.ok()) dkim_ = std::move(*library);
    settings_.dkim = dkim_.get();
    settings_.options.failure_reports.enabled = true;
    zone_.add_txt("brisbane._domainkey.football.example.com",
                  "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    zone_.add_txt("_dmarc.football.example.com",
                  "v=DMARC1; p=reject; fo=1; ruf=mailto:ruf@football.example.com");
    zone_.add_txt("football.example.com", kSpfRecord);
  }

  MessageOutcome run(const std::string& text, const char* client) {
    MessageEvaluation message(settings_, {net::IpAddress::parse(client), "client", "client"},
                              {"joe.sixpack@football.example.com", "", "Q1", {}});
    message.check_sender();
    feed(message, text);
    return message.end_of_message();
  }

  // The outcome's failure record as the report program reads it, as an ARF mail read back.
  report::testing::ArfMessage report_of(const MessageOutcome& outcome) {
    EXPECT_TRUE(outcome.report_row && outcome.report_row->failure) << outcome.log_summary;
    const auto& row = *outcome.report_row;
    report::StoredFailure stored{1,
                                 row.time,
                                 row.policy.domain,
                                 row.policy.psd,
                                 row.header_from,
                                 row.source_ip,
                                 row.queue_id,
                                 row.spf_domain,
                                 row.spf_result,
                                 *row.failure};
    report::ReportOptions reports;
    reports.org_name = "Example Receiver";
    reports.submitter = "mx.example.net";
    auto mail = report::build_failure_report(stored, {&reports, "noreply@mx.example.net"},
                                             "ruf@football.example.com", 1700000000);
    EXPECT_TRUE(mail.ok());
    auto arf = read_arf(mail.ok() ? *mail : "");
    EXPECT_TRUE(arf.has_value()) << (mail.ok() ? *mail : mail.error());
    return arf.value_or(report::testing::ArfMessage{});
  }

  dns::ZoneResolver zone_;
  std::unique_ptr<dkim::DkimLibrary> dkim_;
  EvaluationSettings settings_;
};

// Fields every failure report carries (RFC 5965 §3.1, RFC 6591 §3.1, RFC 7489 §7.3.1).
void expect_common_fields(const report::testing::ArfMessage& arf, const char* client) {
  const auto& f = arf.fields;
  EXPECT_EQ(f.at("feedback-type"), "auth-failure");
  EXPECT_EQ(f.at("version"), "1");
  EXPECT_TRUE(f.contains("user-agent"));
  EXPECT_EQ(f.at("auth-failure"), "dmarc");
  EXPECT_EQ(f.at("source-ip"), client);
  EXPECT_EQ(f.at("reported-domain"), "football.example.com");
  EXPECT_EQ(f.at("original-mail-from"), "<redacted@football.example.com>");
  EXPECT_TRUE(f.contains("arrival-date"));
  EXPECT_NE(f.at("authentication-results").find("mx.example.net;"), std::string::npos);
  EXPECT_NE(f.at("authentication-results").find("dmarc="), std::string::npos);
  EXPECT_EQ(arf.to, "ruf@football.example.com");
  // The header section, redacted (replace is the default), no body.
  EXPECT_NE(arf.headers.find("From: Joe SixPack <redacted@football.example.com>"),
            std::string::npos)
      << arf.headers;
  EXPECT_NE(arf.headers.find("To: Suzie Q <redacted@shopping.example.net>"), std::string::npos);
  EXPECT_NE(arf.headers.find("Message-ID: <20030712040037.46341.5F8J@football.example.com>"),
            std::string::npos)
      << "Message-ID is never redacted";
  EXPECT_EQ(arf.headers.find("We lost the game"), std::string::npos) << "no body";
}

TEST_F(FailureFieldsTest, SpfOnlyFailing) {
  ASSERT_NE(dkim_, nullptr);
  const auto outcome = run(signed_message(), kOutsideSpf);
  ASSERT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::pass) << outcome.log_summary;
  const auto arf = report_of(outcome);
  expect_common_fields(arf, kOutsideSpf);
  const auto& f = arf.fields;
  EXPECT_EQ(f.at("identity-alignment"), "dkim");
  EXPECT_EQ(f.at("delivery-result"), "delivered");
  EXPECT_EQ(f.at("spf-dns"), std::string("txt : football.example.com : \"") + kSpfRecord + "\"");
  EXPECT_EQ(f.at("dkim-domain"), "football.example.com");
  EXPECT_EQ(f.at("dkim-identity"), "@football.example.com");
  EXPECT_EQ(f.at("dkim-selector"), "brisbane");
  EXPECT_EQ(outcome.report_row->failure->fired, "1");
}

TEST_F(FailureFieldsTest, DkimOnlyFailing) {
  ASSERT_NE(dkim_, nullptr);
  const auto outcome = run(signed_message() + "Altered in transit.\r\n", kInsideSpf);
  ASSERT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::pass) << outcome.log_summary;
  const auto arf = report_of(outcome);
  expect_common_fields(arf, kInsideSpf);
  const auto& f = arf.fields;
  EXPECT_EQ(f.at("identity-alignment"), "spf");
  EXPECT_EQ(f.at("dkim-domain"), "football.example.com");
  EXPECT_EQ(f.at("dkim-identity"), "@football.example.com");
  EXPECT_EQ(f.at("dkim-selector"), "brisbane");
  EXPECT_FALSE(f.contains("spf-dns")) << "SPF passed: no SPF record to explain";
  EXPECT_NE(f.at("authentication-results").find("dkim=fail"), std::string::npos);
}

TEST_F(FailureFieldsTest, BothFailing) {
  ASSERT_NE(dkim_, nullptr);
  const auto outcome = run(signed_message() + "Altered in transit.\r\n", kOutsideSpf);
  ASSERT_EQ(outcome.dmarc->result->code, dmarc::DmarcCode::fail) << outcome.log_summary;
  const auto arf = report_of(outcome);
  expect_common_fields(arf, kOutsideSpf);
  const auto& f = arf.fields;
  EXPECT_EQ(f.at("identity-alignment"), "none");
  EXPECT_EQ(f.at("delivery-result"), "reject");
  EXPECT_EQ(f.at("dkim-selector"), "brisbane");
  EXPECT_EQ(f.at("spf-dns"), std::string("txt : football.example.com : \"") + kSpfRecord + "\"");
  EXPECT_EQ(outcome.report_row->failure->fired, "1") << "fo=1 asks for 1 only, not 0";
  EXPECT_NE(arf.subject.find("football.example.com"), std::string::npos);
}

TEST_F(FailureFieldsTest, AllPassingUnderFo1RecordsNothing) {
  ASSERT_NE(dkim_, nullptr);
  const auto outcome = run(signed_message(), kInsideSpf);
  ASSERT_TRUE(outcome.report_row);
  EXPECT_FALSE(outcome.report_row->failure);
}

TEST_F(FailureFieldsTest, DisabledRecordsNothing) {
  settings_.options.failure_reports.enabled = false;
  const auto outcome = run(signed_message() + "Altered in transit.\r\n", kOutsideSpf);
  ASSERT_TRUE(outcome.report_row) << "the aggregate row is still recorded";
  EXPECT_FALSE(outcome.report_row->failure);
}

TEST_F(FailureFieldsTest, PsdPolicyAndNoRufRecordNothing) {
  zone_.add_txt("_dmarc.psd.example", "v=DMARC1; p=reject; psd=y; ruf=mailto:r@psd.example");
  zone_.add_txt("_dmarc.noruf.example", "v=DMARC1; p=reject; rua=mailto:a@noruf.example");
  for (const char* domain : {"psd.example", "noruf.example"}) {
    const auto outcome =
        run("From: a@" + std::string(domain) + "\r\nSubject: x\r\n\r\nx\r\n", kOutsideSpf);
    ASSERT_TRUE(outcome.report_row) << domain << ": " << outcome.log_summary;
    EXPECT_FALSE(outcome.report_row->failure) << domain;
  }
}

TEST_F(FailureFieldsTest, TheHeaderSectionIsBoundedAtAFieldBoundary) {
  settings_.options.failure_reports.max_header_bytes = 1024;
  std::string headers = "From: joe@football.example.com\r\n";
  for (int i = 0; i < 40; ++i)
    headers += "X-Filler-" + std::to_string(i) + ": " + std::string(40, 'x') + "\r\n";
  const auto outcome = run(headers + "Subject: x\r\n\r\nbody\r\n", kOutsideSpf);
  ASSERT_TRUE(outcome.report_row && outcome.report_row->failure) << outcome.log_summary;
  const auto& failure = *outcome.report_row->failure;
  EXPECT_TRUE(failure.headers_cut);
  EXPECT_LE(failure.headers.size(), 1024u);
  EXPECT_TRUE(failure.headers.ends_with("x\r\n")) << "whole fields only";
  EXPECT_EQ(failure.headers.find("Subject:"), std::string::npos);
}

}  // namespace
}  // namespace authmilter::evaluation
