// The stages before end of message: what is negotiated, which stages answer (SMFIP_NR_* steps
// agreed on a unix socket answer SMFIS_NOREPLY), the refusals at connect and RCPT, and the
// Session's life from negotiation to close.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/connection_slots.h"
#include "daemon/milter_negotiation.h"
#include "daemon/milter_stages.h"
#include "milter_fixture.h"

namespace authmilter::daemon::testing {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class StageRepliesTest : public MilterFixture {};

TEST_F(StageRepliesTest, UnixSocketAgreesNoReplyForEveryStageThatNeverRefuses) {
  config().daemon.socket.kind = conf::SocketSpec::Kind::unix_path;
  start();
  unsigned long actions = 0, steps = 0;
  EXPECT_EQ(negotiate_stage(context(), kAllActions, kAllSteps, &actions, &steps), SMFIS_CONTINUE);
  EXPECT_EQ(actions, kMilterActions);
  EXPECT_EQ(steps, kMilterWantedSteps | kMilterUnixOnlySteps);
  EXPECT_EQ(steps & SMFIP_NR_RCPT, 0u);  // RCPT may refuse (SPF fail)
  EXPECT_TRUE(context().macros_requested);

  const auto status = run(TestTransaction{});
  EXPECT_EQ(status.connect, SMFIS_NOREPLY);
  EXPECT_EQ(status.helo, SMFIS_NOREPLY);
  EXPECT_EQ(status.envfrom, SMFIS_NOREPLY);
  EXPECT_THAT(status.envrcpt, ElementsAre(SMFIS_CONTINUE));
  EXPECT_THAT(status.header, Each(SMFIS_NOREPLY));
  EXPECT_EQ(status.end_of_headers, SMFIS_NOREPLY);
  EXPECT_EQ(status.body, SMFIS_NOREPLY);
  EXPECT_EQ(status.end_of_message, SMFIS_ACCEPT);
}

TEST_F(StageRepliesTest, TcpSocketAgreesNoNoReplyStepsSoEveryStageAnswers) {
  config().daemon.socket.kind = conf::SocketSpec::Kind::inet;
  config().daemon.socket.port = 8891;
  const auto status = run(TestTransaction{});
  EXPECT_EQ(context().session()->negotiated_steps, kMilterWantedSteps);
  EXPECT_EQ(status.connect, SMFIS_CONTINUE);
  EXPECT_EQ(status.helo, SMFIS_CONTINUE);
  EXPECT_EQ(status.envfrom, SMFIS_CONTINUE);
  EXPECT_THAT(status.header, Each(SMFIS_CONTINUE));
  EXPECT_EQ(status.end_of_headers, SMFIS_CONTINUE);
  EXPECT_EQ(status.body, SMFIS_CONTINUE);
  EXPECT_EQ(status.end_of_message, SMFIS_ACCEPT);
}

TEST_F(StageRepliesTest, AnMtaThatCannotEditHeadersIsRefusedAtNegotiation) {
  start();
  unsigned long actions = 0, steps = 0;
  EXPECT_EQ(negotiate_stage(context(), SMFIF_ADDHDRS, kAllSteps, &actions, &steps), SMFIS_REJECT);
  EXPECT_EQ(context().session(), nullptr);
}

TEST_F(StageRepliesTest, WithoutLeadingSpaceAgreedOurHeaderValueBringsItsOwnSpace) {
  run(TestTransaction{}, kAllSteps & ~SMFIP_HDR_LEADSPC);
  ASSERT_FALSE(calls().empty());
  EXPECT_THAT(calls()[0], StartsWith("insert_header 0 Authentication-Results:mx.example.net;"));
}

TEST_F(StageRepliesTest, SpfFailIsRefusedAtRcptWithItsReply) {
  config().evaluation.spf_policy.reject_on_fail = true;
  TestTransaction transaction;
  transaction.mail_from = "<alice@reject.example>";
  const auto status = run(transaction);
  EXPECT_THAT(status.envrcpt, ElementsAre(SMFIS_REJECT));
  ASSERT_EQ(calls().size(), 1u);
  EXPECT_THAT(calls()[0], StartsWith("set_reply 550 5.7.23 "));
}

TEST_F(StageRepliesTest, OverMaxConnectionsConnectIsRefusedAndSoIsMail) {
  config().daemon.max_connections = 0;
  const auto status = run(TestTransaction{});
  // No no-reply steps: connect must be able to answer.
  EXPECT_EQ(context().session()->negotiated_steps, kMilterWantedSteps);
  EXPECT_EQ(status.connect, SMFIS_TEMPFAIL);
  EXPECT_EQ(status.envfrom, SMFIS_TEMPFAIL);
  EXPECT_THAT(calls(), ElementsAre("set_reply 451 4.3.2 too many connections to the mail "
                                   "filter, try again later"));
}

TEST_F(StageRepliesTest, ConnectWithoutNegotiationMakesTheSession) {
  start();
  EXPECT_EQ(connect_stage(context(), "client.example", net::IpAddress::parse("192.0.2.10")),
            SMFIS_CONTINUE);
  ASSERT_NE(context().session(), nullptr);
  EXPECT_EQ(context().session()->connection.client_name, "client.example");
}

TEST_F(StageRepliesTest, AbortDropsTheMessageSoEndOfMessageHasNothingToAnswer) {
  start();
  unsigned long actions = 0, steps = 0;
  negotiate_stage(context(), kAllActions, kAllSteps, &actions, &steps);
  connect_stage(context(), "client.example", net::IpAddress::parse("192.0.2.10"));
  envfrom_stage(context(), "<alice@pass.example>");
  envrcpt_stage(context(), "<bob@example.net>");
  header_stage(context(), "From", " alice@pass.example");
  EXPECT_EQ(abort_stage(context()), SMFIS_CONTINUE);
  EXPECT_FALSE(context().session()->message);
  EXPECT_EQ(end_of_message_stage(context()), SMFIS_TEMPFAIL);
  EXPECT_THAT(calls(), IsEmpty());
}

TEST_F(StageRepliesTest, CloseFreesTheSessionAndItsConnectionSlot) {
  const std::size_t before = open_connections();
  start();
  unsigned long actions = 0, steps = 0;
  negotiate_stage(context(), kAllActions, kAllSteps, &actions, &steps);
  EXPECT_EQ(open_connections(), before + 1);
  EXPECT_EQ(close_stage(context()), SMFIS_CONTINUE);
  EXPECT_EQ(context().session(), nullptr);
  EXPECT_EQ(open_connections(), before);
}

}  // namespace
}  // namespace authmilter::daemon::testing
