#include "evaluation/message_evaluation.h"

#include <gtest/gtest.h>

namespace authmilter::evaluation {
namespace {

class MessageEvaluationTest : public ::testing::Test {
 protected:
  MessageEvaluationTest() { settings_.options.authserv_id = "mx.example.net"; }

  MessageEvaluation start() {
    ConnectionFacts connection{net::IpAddress::parse("192.0.2.1"), "client.example", "client"};
    return MessageEvaluation(settings_, connection, Envelope{"sender@example.org", "", "", {}});
  }

  EvaluationSettings settings_;
};

TEST_F(MessageEvaluationTest, SelectsOnlyOurForgedHeadersHighestFirst) {
  MessageEvaluation message = start();
  message.header("Received", "from somewhere");
  message.header("Authentication-Results", " MX.Example.NET; spf=pass");  // 1: ours
  message.header("authentication-results", " other.example; dkim=pass");  // 2: theirs
  message.header("Authentication-Results", " (forged)  mx.example.net ;\n\tdkim=pass");  // 3
  message.header("Authentication-Results", " mx.example.net.evil; spf=pass");  // 4: theirs
  message.header("X-Authentication-Results", " mx.example.net; spf=pass");     // other field
  message.end_of_headers();
  const MessageOutcome outcome = message.end_of_message();
  EXPECT_EQ(outcome.forged_header_indices, (std::vector<int>{3, 1}));
  EXPECT_FALSE(outcome.too_many_forged_headers);
}

TEST_F(MessageEvaluationTest, UnsignedMessageStillGetsAHeaderWithOurId) {
  MessageEvaluation message = start();
  message.end_of_headers();
  const MessageOutcome outcome = message.end_of_message();
  EXPECT_EQ(outcome.authentication_results.rfind("mx.example.net;", 0), 0u)
      << outcome.authentication_results;
  EXPECT_TRUE(outcome.forged_header_indices.empty());
}

TEST_F(MessageEvaluationTest, BoundsTheNumberOfForgedHeaders) {
  MessageEvaluation message = start();
  for (std::size_t i = 0; i <= kDefaultMaxForgedAuthresHeaders; ++i)
    message.header("Authentication-Results", " mx.example.net; none");
  const MessageOutcome outcome = message.end_of_message();
  EXPECT_TRUE(outcome.too_many_forged_headers);
  EXPECT_EQ(outcome.forged_header_indices.size(), kDefaultMaxForgedAuthresHeaders);
}

TEST_F(MessageEvaluationTest, KeepsRecipientsWithinTheBound) {
  MessageEvaluation message = start();
  for (std::size_t i = 0; i < kDefaultMaxRecipients + 5; ++i) message.recipient("user@example.net");
  EXPECT_EQ(message.envelope().recipients.size(), kDefaultMaxRecipients);
  EXPECT_EQ(message.envelope().mail_from, "sender@example.org");
}

}  // namespace
}  // namespace authmilter::evaluation
