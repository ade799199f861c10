// MessageEvaluation's resource bounds (message_limits.h): each bound at its limit is accepted,
// one over it is refused with the right code and reported once as a LimitBreach.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "dns/zone_resolver.h"
#include "evaluation/message_evaluation.h"

namespace authmilter::evaluation {
namespace {

class MessageLimitsTest : public ::testing::Test {
 protected:
  MessageLimitsTest() {
    settings_.options.authserv_id = "mx.example.net";
    settings_.resolver = &zone_;
    settings_.options.dmarc_enabled = false;  // no DNS beyond what a test adds
  }

  MessageEvaluation start() {
    ConnectionFacts connection{net::IpAddress::parse("192.0.2.1"), "client.example", "client"};
    return MessageEvaluation(settings_, connection, Envelope{"sender@example.org", "", "", {}});
  }

  // A DKIM library whose verifier tries at most max_signatures signatures.
  void use_dkim(std::size_t max_signatures) {
    dkim::DkimOptions options;
    options.max_signatures = max_signatures;
    auto library = dkim::DkimLibrary::create(options);
    ASSERT_TRUE(library.ok()) << library.error();
    dkim_ = std::move(*library);
    settings_.dkim = dkim_.get();
  }

  static MessageOutcome finish(MessageEvaluation& message) {
    message.end_of_headers();
    const std::string body = "Hello.\r\n";
    message.body_chunk({body.data(), body.size()});
    return message.end_of_message();
  }

  dns::ZoneResolver zone_;
  std::unique_ptr<dkim::DkimLibrary> dkim_;
  EvaluationSettings settings_;
};

TEST_F(MessageLimitsTest, DefaultsAreTheNamedConstants) {
  const MessageLimits limits;
  EXPECT_EQ(limits.max_recipients, kDefaultMaxRecipients);
  EXPECT_EQ(limits.max_header_fields, kDefaultMaxHeaderFields);
  EXPECT_EQ(limits.max_header_bytes, kDefaultMaxHeaderBytes);
  EXPECT_EQ(limits.max_forged_authres_headers, kDefaultMaxForgedAuthresHeaders);
  EXPECT_EQ(kDefaultMaxRecipients, 1000u);
}

TEST_F(MessageLimitsTest, RecipientsAtTheLimitAreAcceptedTheNextOnesRefused452) {
  settings_.options.limits.max_recipients = 3;
  MessageEvaluation message = start();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(message.recipient("user" + std::to_string(i) + "@example.net").kind,
              StageReply::Kind::proceed);
  EXPECT_TRUE(message.take_limit_breaches().empty());
  for (int i = 0; i < 2; ++i) {
    const StageReply reply = message.recipient("extra@example.net");
    EXPECT_EQ(reply.kind, StageReply::Kind::tempfail);
    EXPECT_EQ(reply.refusal.code, "452");
    EXPECT_EQ(reply.refusal.enhanced, "4.5.3");
    EXPECT_EQ(reply.refusal.text, "too many recipients");
  }
  const auto breaches = message.take_limit_breaches();
  ASSERT_EQ(breaches.size(), 1u);  // one log line, not one per refused recipient
  EXPECT_EQ(breaches[0].bound, "limits.max_recipients");
  EXPECT_EQ(breaches[0].limit, 3u);
  EXPECT_EQ(breaches[0].value, 4u);
  EXPECT_EQ(describe(breaches[0]),
            "limits.max_recipients=3 exceeded (4): recipient refused 452 4.5.3");
  EXPECT_EQ(message.envelope().recipients.size(), 3u);
  EXPECT_TRUE(message.take_limit_breaches().empty());
  // The message itself goes on: the accepted recipients get it.
  EXPECT_EQ(finish(message).reply.kind, StageReply::Kind::proceed);
}

TEST_F(MessageLimitsTest, DefaultRecipientLimitKeepsAThousand) {
  MessageEvaluation message = start();
  for (std::size_t i = 0; i < kDefaultMaxRecipients; ++i)
    ASSERT_EQ(message.recipient("user@example.net").kind, StageReply::Kind::proceed) << i;
  EXPECT_EQ(message.recipient("user@example.net").refusal.code, "452");
  EXPECT_EQ(message.envelope().recipients.size(), kDefaultMaxRecipients);
}

TEST_F(MessageLimitsTest, HeaderFieldsAtTheLimitAreAccepted) {
  settings_.options.limits.max_header_fields = 5;
  MessageEvaluation message = start();
  for (int i = 0; i < 5; ++i) message.header("X-Field", " value");
  const MessageOutcome outcome = finish(message);
  EXPECT_EQ(outcome.reply.kind, StageReply::Kind::proceed);
  EXPECT_FALSE(outcome.authentication_results.empty());
  EXPECT_TRUE(message.take_limit_breaches().empty());
}

TEST_F(MessageLimitsTest, OneHeaderFieldOverTheLimitIsRefused552) {
  settings_.options.limits.max_header_fields = 5;
  MessageEvaluation message = start();
  for (int i = 0; i < 6; ++i) message.header("X-Field", " value");
  const MessageOutcome outcome = finish(message);
  EXPECT_EQ(outcome.reply.kind, StageReply::Kind::reject);
  EXPECT_EQ(outcome.reply.refusal.code, "552");
  EXPECT_EQ(outcome.reply.refusal.enhanced, "5.3.4");
  EXPECT_TRUE(outcome.authentication_results.empty());  // not judged
  EXPECT_FALSE(outcome.report_row);                     // nor recorded
  const auto breaches = message.take_limit_breaches();
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].bound, "limits.max_header_fields");
  EXPECT_EQ(breaches[0].limit, 5u);
  EXPECT_EQ(breaches[0].value, 6u);
}

TEST_F(MessageLimitsTest, HeaderBytesAtTheLimitAreAcceptedOneMoreIsRefused) {
  settings_.options.limits.max_header_bytes = 100;
  const std::string name = "X-Fill";                // 6 bytes
  const std::string value(100 - name.size(), 'v');  // 94 bytes: 100 in all
  MessageEvaluation at_limit = start();
  at_limit.header(name, value);
  EXPECT_EQ(finish(at_limit).reply.kind, StageReply::Kind::proceed);

  MessageEvaluation over = start();
  over.header(name, value + "v");
  const MessageOutcome outcome = finish(over);
  EXPECT_EQ(outcome.reply.refusal.code, "552");
  EXPECT_EQ(outcome.reply.refusal.enhanced, "5.3.4");
  const auto breaches = over.take_limit_breaches();
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].bound, "limits.max_header_bytes");
  EXPECT_EQ(breaches[0].value, 101u);
}

TEST_F(MessageLimitsTest, BothHeaderBoundsOverGiveOneBreachEach) {
  settings_.options.limits.max_header_fields = 2;
  settings_.options.limits.max_header_bytes = 10;
  MessageEvaluation message = start();
  for (int i = 0; i < 3; ++i) message.header("X-Field", " value");
  EXPECT_EQ(finish(message).reply.refusal.code, "552");
  const auto breaches = message.take_limit_breaches();
  ASSERT_EQ(breaches.size(), 2u);
  EXPECT_EQ(breaches[0].bound, "limits.max_header_fields");
  EXPECT_EQ(breaches[1].bound, "limits.max_header_bytes");
  EXPECT_EQ(breaches[1].value, 3u * 13u);
}

// Hostile input: 100k fields, every one a DKIM signature, with the verifier on. Nothing past the
// bound is processed, so this stays fast and small.
TEST_F(MessageLimitsTest, HundredThousandHeaderFieldsAreRefusedQuickly) {
  use_dkim(dkim::kDefaultMaxSignatures);
  const auto started = std::chrono::steady_clock::now();
  MessageEvaluation message = start();
  const std::string signature = " v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=AA==; b=AA==";
  for (int i = 0; i < 100000; ++i) message.header("DKIM-Signature", signature);
  const MessageOutcome outcome = finish(message);
  EXPECT_EQ(outcome.reply.refusal.code, "552");
  const auto breaches = message.take_limit_breaches();
  ASSERT_FALSE(breaches.empty());
  EXPECT_EQ(breaches[0].bound, "limits.max_header_fields");
  EXPECT_EQ(breaches[0].value, 100000u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(MessageLimitsTest, SignaturesBeyondDkimMaxAreReportedNotRefused) {
  use_dkim(2);
  MessageEvaluation message = start();
  message.header("From", " <joe@example.org>");
  for (int i = 0; i < 3; ++i)
    message.header("DKIM-Signature", " v=1; a=rsa-sha256; d=example.org; s=s" + std::to_string(i) +
                                         "; h=from; bh=AA==; b=AA==");
  const MessageOutcome outcome = finish(message);
  EXPECT_EQ(outcome.reply.kind, StageReply::Kind::proceed) << outcome.log_summary;
  EXPECT_NE(outcome.authentication_results.find("dkim=policy"), std::string::npos)
      << outcome.authentication_results;
  const auto breaches = message.take_limit_breaches();
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].bound, "dkim.max_signatures");
  EXPECT_EQ(breaches[0].limit, 2u);
  EXPECT_EQ(breaches[0].value, 3u);
}

// libopendkim reads "DKIM-Signature :" (a blank before the colon) as a signature field: the bound
// counts it too, or a sender could slip signatures past dkim.max_signatures unlogged.
TEST_F(MessageLimitsTest, SignatureFieldWithBlankBeforeColonCountsTowardsTheBound) {
  use_dkim(2);
  MessageEvaluation message = start();
  message.header("From", " <joe@example.org>");
  for (const char* name : {"DKIM-Signature", "DKIM-Signature ", "dkim-signature\t"})
    message.header(name, " v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=AA==; b=AA==");
  finish(message);
  const auto breaches = message.take_limit_breaches();
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].bound, "dkim.max_signatures");
  EXPECT_EQ(breaches[0].value, 3u);
}

TEST_F(MessageLimitsTest, SignaturesAtDkimMaxGiveNoBreach) {
  use_dkim(2);
  MessageEvaluation message = start();
  message.header("From", " <joe@example.org>");
  for (int i = 0; i < 2; ++i)
    message.header("DKIM-Signature",
                   " v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=AA==; b=AA==");
  finish(message);
  EXPECT_TRUE(message.take_limit_breaches().empty());
}

TEST_F(MessageLimitsTest, ForgedHeadersAtTheConfiguredLimitAreDeletedOneMoreIsRefused) {
  settings_.options.limits.max_forged_authres_headers = 2;
  MessageEvaluation at_limit = start();
  at_limit.header("Authentication-Results", " mx.example.net; none");
  at_limit.header("Authentication-Results", " other.example; spf=pass smtp.mailfrom=x.example");
  at_limit.header("Authentication-Results", " mx.example.net; spf=pass smtp.mailfrom=x.example");
  const MessageOutcome kept = finish(at_limit);
  EXPECT_FALSE(kept.too_many_forged_headers);
  EXPECT_EQ(kept.forged_header_indices, (std::vector<int>{3, 1}));  // the foreign one stays
  EXPECT_TRUE(at_limit.take_limit_breaches().empty());

  MessageEvaluation over = start();
  for (int i = 0; i < 3; ++i) over.header("Authentication-Results", " mx.example.net; none");
  const MessageOutcome refused = finish(over);
  EXPECT_TRUE(refused.too_many_forged_headers);
  EXPECT_EQ(refused.reply.refusal.code, "550");
  const auto breaches = over.take_limit_breaches();
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(describe(breaches[0]),
            "limits.max_forged_authres_headers=2 exceeded (3): message refused 550 5.7.1");
}

TEST_F(MessageLimitsTest, TooManyForgedHeadersIsReportedAsABreach) {
  MessageEvaluation message = start();
  for (std::size_t i = 0; i < kDefaultMaxForgedAuthresHeaders + 3; ++i)
    message.header("Authentication-Results", " mx.example.net; none");
  EXPECT_EQ(finish(message).reply.refusal.code, "550");
  const auto breaches = message.take_limit_breaches();
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].bound, "limits.max_forged_authres_headers");
  EXPECT_EQ(breaches[0].limit, kDefaultMaxForgedAuthresHeaders);
  EXPECT_EQ(breaches[0].value, kDefaultMaxForgedAuthresHeaders + 3);
}

}  // namespace
}  // namespace authmilter::evaluation
