// End of message through the milter stages: every reply, header edit and report row, in order.
// The order is the contract (milter_stages.h): forged Authentication-Results out highest index
// first, ours on top, the row committed, then the quarantine, and the reply last.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "daemon/probe_token.h"
#include "milter_fixture.h"

namespace authmilter::daemon::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kInsertOurs = "insert_header 0 Authentication-Results: mx.example.net;";
const std::string kStoreRow = std::string("store.append ") + kQueueId;

TestTransaction from_domain(const std::string& domain) {
  TestTransaction transaction;
  transaction.mail_from = "<alice@elsewhere.example>";
  transaction.headers = {{"From", "Alice <alice@" + domain + ">"}, {"Subject", "hi"}};
  return transaction;
}

class EndOfMessageTest : public MilterFixture {};

TEST_F(EndOfMessageTest, PassIsAcceptedWithOurHeaderOnTopThenTheRowAndNoReply) {
  const auto status = run(TestTransaction{});
  EXPECT_EQ(status.end_of_message, SMFIS_ACCEPT);
  EXPECT_THAT(calls(), ElementsAre(StartsWith(kInsertOurs), kStoreRow));
  EXPECT_THAT(inserted_authentication_results(), HasSubstr("spf=pass"));
  EXPECT_THAT(inserted_authentication_results(), HasSubstr("dmarc=pass"));
  ASSERT_EQ(store().committed().size(), 1u);
  EXPECT_EQ(store().committed()[0].queue_id, kQueueId);
  EXPECT_EQ(store().committed()[0].dmarc_result, "pass");
}

TEST_F(EndOfMessageTest, ForgedHeadersAreDeletedHighestFirstBeforeOursIsInserted) {
  TestTransaction transaction;
  transaction.headers = {
      {"Authentication-Results", "mx.example.net; dmarc=pass header.from=pass.example"},
      {"Authentication-Results", "other.example; spf=fail smtp.mailfrom=pass.example"},
      {"From", "Alice <alice@pass.example>"},
      {"Authentication-Results", "MX.example.net; dkim=pass header.d=pass.example"},
  };
  const auto status = run(transaction);
  EXPECT_EQ(status.end_of_message, SMFIS_ACCEPT);
  // Indices count Authentication-Results fields only: ours are the 1st and the 3rd.
  EXPECT_THAT(calls(), ElementsAre("delete_header Authentication-Results 3",
                                   "delete_header Authentication-Results 1",
                                   StartsWith(kInsertOurs), kStoreRow));
}

TEST_F(EndOfMessageTest, AForgedHeaderThatCannotBeDeletedTempfailsWithoutOursOrARow) {
  TestTransaction transaction;
  transaction.headers.emplace_back("Authentication-Results", "mx.example.net; spf=pass");
  context().fail_next("delete_header");
  const auto status = run(transaction);
  EXPECT_EQ(status.end_of_message, SMFIS_TEMPFAIL);
  EXPECT_THAT(calls(), ElementsAre("delete_header Authentication-Results 1 (failed)",
                                   "set_reply 451 4.3.0 cannot remove a forged "
                                   "Authentication-Results header"));
}

TEST_F(EndOfMessageTest, OurHeaderThatCannotBeInsertedIsLoggedAndTheMessageStillAccepted) {
  context().fail_next("insert_header");
  const auto status = run(TestTransaction{});
  EXPECT_EQ(status.end_of_message, SMFIS_ACCEPT);
  EXPECT_THAT(calls(), ElementsAre(StartsWith(kInsertOurs), kStoreRow));
  EXPECT_THAT(calls()[0], HasSubstr("(failed)"));
}

TEST_F(EndOfMessageTest, TooManyForgedHeadersIsRefusedWithNoEditsAndNoRow) {
  config().evaluation.limits.max_forged_authres_headers = 2;
  TestTransaction transaction;
  for (int i = 0; i < 3; ++i)
    transaction.headers.emplace_back("Authentication-Results", "mx.example.net; spf=pass");
  const auto status = run(transaction);
  // The code refuses (550 5.7.1), it does not tempfail: a retry would carry the same headers.
  EXPECT_EQ(status.end_of_message, SMFIS_REJECT);
  EXPECT_THAT(calls(), ElementsAre("set_reply 550 5.7.1 too many Authentication-Results headers"));
}

TEST_F(EndOfMessageTest, DmarcRejectCommitsTheRowThenRefusesWithNoHeaderEdits) {
  TestTransaction transaction = from_domain("reject.example");
  transaction.headers.emplace_back("Authentication-Results", "mx.example.net; dmarc=pass");
  const auto status = run(transaction);
  EXPECT_EQ(status.end_of_message, SMFIS_REJECT);
  // A refused message is not delivered, so its forged header is left alone too.
  EXPECT_THAT(calls(), ElementsAre(kStoreRow,
                                   "set_reply 550 5.7.1 Message rejected: DMARC policy of "
                                   "reject.example"));
  ASSERT_EQ(store().committed().size(), 1u);
  EXPECT_EQ(store().committed()[0].disposition, "reject");
}

TEST_F(EndOfMessageTest, QuarantineByHoldRunsAfterTheHeaderAndTheRow) {
  const auto status = run(from_domain("quarantine.example"));
  EXPECT_EQ(status.end_of_message, SMFIS_ACCEPT);
  EXPECT_THAT(calls(), ElementsAre(StartsWith(kInsertOurs), kStoreRow,
                                   StartsWith("quarantine authmilter: ")));
  EXPECT_THAT(calls().back(), HasSubstr("quarantine.example"));
}

TEST_F(EndOfMessageTest, QuarantineByBothAddsTheMarkerHeaderThenHolds) {
  policy().quarantine = decision::QuarantineMode::both;
  policy().quarantine_header_name = "X-Spam-Flag";
  policy().quarantine_header_value = "YES";
  run(from_domain("quarantine.example"));
  EXPECT_THAT(calls(), ElementsAre(StartsWith(kInsertOurs), kStoreRow,
                                   "add_header X-Spam-Flag: YES", StartsWith("quarantine ")));
}

TEST_F(EndOfMessageTest, QuarantineByHeaderOnlyDoesNotHold) {
  policy().quarantine = decision::QuarantineMode::header;
  run(from_domain("quarantine.example"));
  EXPECT_THAT(calls(),
              ElementsAre(StartsWith(kInsertOurs), kStoreRow, "add_header X-Spam-Flag: YES"));
}

TEST_F(EndOfMessageTest, AFailedStoreWriteTempfailsAfterTheEdits) {
  store().fail_appends(true);
  const auto status = run(TestTransaction{});
  EXPECT_EQ(status.end_of_message, SMFIS_TEMPFAIL);
  // The header edits already made are dropped by the MTA with the tempfailed message.
  EXPECT_THAT(calls(), ElementsAre(StartsWith(kInsertOurs), kStoreRow + " (failed)",
                                   "set_reply 451 4.3.0 cannot record the message, try again "
                                   "later"));
}

TEST_F(EndOfMessageTest, AFailedStoreWriteOfARefusedMessageTempfailsInsteadOfRefusing) {
  store().fail_appends(true);
  const auto status = run(from_domain("reject.example"));
  EXPECT_EQ(status.end_of_message, SMFIS_TEMPFAIL);
  EXPECT_THAT(calls(), ElementsAre(kStoreRow + " (failed)",
                                   "set_reply 451 4.3.0 cannot record the message, try again "
                                   "later"));
}

TEST_F(EndOfMessageTest, AFailedStoreWriteIsPassedOverWhenConfiguredTo) {
  config().store.on_failure = report::StoreFailureAction::continue_unrecorded;
  store().fail_appends(true);
  const auto status = run(TestTransaction{});
  EXPECT_EQ(status.end_of_message, SMFIS_ACCEPT);
  EXPECT_THAT(calls(), ElementsAre(StartsWith(kInsertOurs), kStoreRow + " (failed)"));
}

TEST_F(EndOfMessageTest, AnUnauthenticatedSubmitterIsChecked) {
  run(TestTransaction{});
  EXPECT_THAT(inserted_authentication_results(), HasSubstr("spf=pass"));
  EXPECT_GT(zone().lookup_count(), 0);
  EXPECT_EQ(store().committed().size(), 1u);
}

TEST_F(EndOfMessageTest, AnAuthenticatedSubmitterIsNotCheckedButForgedHeadersStillGo) {
  TestTransaction transaction;
  transaction.authenticated_user = "alice";
  transaction.headers.emplace_back("Authentication-Results", "mx.example.net; spf=pass");
  const auto status = run(transaction);
  EXPECT_EQ(status.end_of_message, SMFIS_ACCEPT);
  EXPECT_THAT(calls(), ElementsAre("delete_header Authentication-Results 1",
                                   StartsWith(kInsertOurs)));  // no DMARC: no row
  EXPECT_THAT(inserted_authentication_results(), Not(HasSubstr("spf=")));
  EXPECT_EQ(zone().lookup_count(), 0);
}

class ProbeTest : public EndOfMessageTest {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/authmilter-probe-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
    auto key = ProbeKey::load_or_create(directory_ + "/probe.key");
    ASSERT_TRUE(key.ok()) << key.error();
    header_ = key->header_value(ProbeKey::new_nonce());
    install_probe_key(std::move(*key));
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string directory_;
  std::string header_;
};

TEST_F(ProbeTest, AVerifiedProbeIsRefusedQuotingOurHeaderWithNoEditsAndNoRow) {
  TestTransaction transaction;
  transaction.headers.emplace_back("Authentication-Results", "mx.example.net; spf=pass");
  transaction.headers.emplace_back("X-Authmilter-Probe", header_);
  const auto status = run(transaction);
  EXPECT_EQ(status.end_of_message, SMFIS_REJECT);
  const std::string nonce = header_.substr(0, header_.find('.'));
  ASSERT_EQ(calls().size(), 1u);
  EXPECT_THAT(calls()[0], StartsWith("set_reply 550 5.7.0 authmilter probe " + nonce +
                                     " seen; it would add Authentication-Results: "
                                     "mx.example.net;"));
  EXPECT_THAT(calls()[0], HasSubstr("dmarc=pass"));
  EXPECT_THAT(store().committed(), IsEmpty());
}

TEST_F(ProbeTest, AProbeHeaderWithoutAValidTokenIsOrdinaryMail) {
  TestTransaction transaction;
  std::string forged = header_;
  forged.back() = forged.back() == '0' ? '1' : '0';
  transaction.headers.emplace_back("X-Authmilter-Probe", forged);
  const auto status = run(transaction);
  EXPECT_EQ(status.end_of_message, SMFIS_ACCEPT);
  EXPECT_THAT(calls(), ElementsAre(StartsWith(kInsertOurs), kStoreRow));
}

}  // namespace
}  // namespace authmilter::daemon::testing
