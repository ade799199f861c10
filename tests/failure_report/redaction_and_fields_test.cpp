// Local-part redaction (RFC 6590), the fo= triggers, and what a hostile recorded value can do
// to the report's own header fields: nothing.
#include <gtest/gtest.h>

#include "arf_reader.h"
#include "report/failure_mail.h"
#include "report/fo_trigger.h"
#include "report/redaction.h"

namespace authmilter::report {
namespace {

TEST(Redaction, ReplaceRedactsEveryLocalPartButMessageIds) {
  const std::string headers =
      "From: \"Joe\" <joe.user+tag@example.com>\r\n"
      "To: a@example.net,\r\n \"b c\"@example.org\r\n"
      "Received: from x by mx for <victim@example.net>; Mon, 1 Jan 2024\r\n"
      "Message-ID: <1234.abc@example.com>\r\n"
      "References: <x@y.example>\r\n"
      "Subject: mail me at someone@example.com\r\n";
  const std::string out = redact_header_section(headers, Redaction::replace, "");
  EXPECT_EQ(out,
            "From: \"Joe\" <redacted@example.com>\r\n"
            "To: redacted@example.net,\r\n redacted@example.org\r\n"
            "Received: from x by mx for <redacted@example.net>; Mon, 1 Jan 2024\r\n"
            "Message-ID: <1234.abc@example.com>\r\n"
            "References: <x@y.example>\r\n"
            "Subject: mail me at redacted@example.com\r\n");
}

TEST(Redaction, HashIsKeyedAndStable) {
  const std::string key = "0123456789abcdef";
  const auto first = redact_address("joe@example.com", Redaction::hash, key);
  EXPECT_EQ(first, redact_address("joe@example.com", Redaction::hash, key));
  EXPECT_NE(first, redact_address("ann@example.com", Redaction::hash, key));
  EXPECT_NE(first, redact_address("joe@example.com", Redaction::hash, "another key 12345"));
  EXPECT_TRUE(first.ends_with("@example.com"));
  EXPECT_EQ(first.size(), 16 + std::string("@example.com").size());
  EXPECT_EQ(first.find("joe"), std::string::npos);
}

TEST(Redaction, NoneAndNonAddressesAreLeftAlone) {
  EXPECT_EQ(redact_address("joe@example.com", Redaction::none, ""), "joe@example.com");
  EXPECT_EQ(redact_address("", Redaction::replace, ""), "");
  EXPECT_EQ(redact_header_section("Subject: 50 @ 3\r\n", Redaction::replace, ""),
            "Subject: 50 @ 3\r\n");
}

TEST(FoTrigger, EachOptionFiresOnItsOwnFailure) {
  const AuthenticationFacts dmarc_fail{.dmarc_failed = true};
  const AuthenticationFacts spf_only{.dkim_aligned = true, .spf_failed = true};
  const AuthenticationFacts dkim_only{.spf_aligned = true, .dkim_failed = true};
  const AuthenticationFacts all_pass{.spf_aligned = true, .dkim_aligned = true};
  EXPECT_EQ(fired_fo_options("0", "01ds", dmarc_fail), "0");
  EXPECT_EQ(fired_fo_options("0", "01ds", spf_only), "");
  EXPECT_EQ(fired_fo_options("1", "01ds", spf_only), "1");
  EXPECT_EQ(fired_fo_options("s", "01ds", spf_only), "s");
  EXPECT_EQ(fired_fo_options("d", "01ds", spf_only), "");
  EXPECT_EQ(fired_fo_options("d:s", "01ds", dkim_only), "d");
  EXPECT_EQ(fired_fo_options("0:1:d:s", "01ds", all_pass), "");
}

TEST(FoTrigger, OnlyHonouredOptionsCountAndUnhonouredOnesFallBackToZero) {
  const AuthenticationFacts spf_only{.dkim_aligned = true, .spf_failed = true};
  const AuthenticationFacts dmarc_fail{.dmarc_failed = true, .spf_failed = true};
  EXPECT_EQ(fired_fo_options("1", "0", spf_only), "") << "1 not honoured: read as fo=0";
  EXPECT_EQ(fired_fo_options("1", "0", dmarc_fail), "0");
  EXPECT_EQ(fired_fo_options("s", "1", dmarc_fail), "") << "neither s nor 0 honoured";
}

TEST(FailureMail, NothingRecordedCanAddAFieldOrALine) {
  StoredFailure stored;
  stored.id = 7;
  stored.time = 1700000000;
  stored.header_from = "evil.example\r\nBcc: victim@example.net";
  stored.source_ip = "192.0.2.1\nX-Injected: 1";
  stored.spf_domain = "evil.example";
  stored.failure.identity_alignment = "none";
  stored.failure.delivery_result = "reject";
  stored.failure.mail_from = "a@evil.example>\r\nX-Injected: 2";
  stored.failure.dkim_domain = "evil.example";
  stored.failure.dkim_selector = "s\r\nX-Injected: 3";
  stored.failure.spf_record = "v=spf1 \"quoted\" -all\r\nX-Injected: 4";
  stored.failure.authentication_results = std::string(5000, 'a') + " tail";
  ReportOptions reports;
  reports.org_name = "Receiver";
  reports.submitter = "receiver.example";
  const std::string fields = failure_report_fields(stored, reports);
  for (std::size_t line = 0; line < fields.size();) {
    const auto end = fields.find("\r\n", line);
    ASSERT_NE(end, std::string::npos);
    const std::string text = fields.substr(line, end - line);
    EXPECT_EQ(text.find('\n'), std::string::npos);
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_FALSE(text.starts_with("X-Injected")) << text;
    EXPECT_FALSE(text.starts_with("Bcc")) << text;
    EXPECT_LE(text.size(), 2100u);
    line = end + 2;
  }
  const auto parsed = testing::parse_fields(fields);
  EXPECT_EQ(parsed.at("dkim-selector"), "sX-Injected: 3");
  EXPECT_EQ(parsed.at("spf-dns"),
            "txt : evil.example : \"v=spf1 \\\"quoted\\\" -allX-Injected: 4\"");
  auto mail = build_failure_report(stored, {&reports, "r@receiver.example"}, "ruf@evil.example",
                                   1700000100);
  ASSERT_TRUE(mail.ok());
  const std::string head = mail->substr(0, mail->find("\n\n"));
  for (std::size_t line = 0; line < head.size();) {
    auto end = head.find('\n', line);
    if (end == std::string::npos) end = head.size();
    const std::string text = head.substr(line, end - line);
    EXPECT_FALSE(text.starts_with("Bcc") || text.starts_with("X-Injected")) << text;
    line = end + 1;
  }
}

}  // namespace
}  // namespace authmilter::report
