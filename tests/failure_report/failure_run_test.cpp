// authmilter-report --failure-reports over a real SQLite store: destinations verified like
// rua (an external ruf needs its authorization record), psd=y never, the hourly limits hold
// under a burst (the rest dropped and counted, not sent later), a second run sends nothing;
// and a failure record is committed with its aggregate row or not at all.
#include "report/failure_run.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

#include "arf_reader.h"
#include "dns/zone_resolver.h"
#include "report/record_store.h"

namespace authmilter::report {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

class LastTwoLabels : public dmarc::OrgDomainFinder {
 public:
  dmarc::OrgDomainAnswer find(std::string_view domain) override {
    std::string text(domain);
    const auto last = text.rfind('.');
    const auto previous = last == std::string::npos ? last : text.rfind('.', last - 1);
    return {false, previous == std::string::npos ? text : text.substr(previous + 1), ""};
  }
};

// Keeps every mail it is given, by recipient.
class CapturingSender final : public ReportSender {
 public:
  Status send(const std::string& message, const std::string& recipient) override {
    if (fail) return Error{"sendmail exited 75"};
    sent.emplace_back(recipient, message);
    return Ok{};
  }
  std::vector<std::pair<std::string, std::string>> sent;
  bool fail = false;
};

ReportRecord failing_record(std::int64_t time, const std::string& domain, const std::string& ruf,
                            const std::string& psd = "u") {
  ReportRecord record;
  record.time = time;
  record.source_ip = "203.0.113.5";
  record.header_from = domain;
  record.envelope_from = domain;
  record.spf_domain = domain;
  record.spf_result = "fail";
  record.policy.domain = domain;
  record.policy.p = "reject";
  record.policy.psd = psd;
  record.disposition = "reject";
  record.queue_id = "Q" + std::to_string(time);
  FailureRecord failure;
  failure.ruf = ruf;
  failure.fired = "0";
  failure.identity_alignment = "none";
  failure.mail_from = "redacted@" + domain;
  failure.authentication_results = "mx.example.net; spf=fail smtp.mailfrom=" + domain;
  failure.delivery_result = "reject";
  failure.headers = "From: redacted@" + domain + "\r\nSubject: hello\r\n";
  record.failure = failure;
  return record;
}

class FailureRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/authmilter-failure-XXXXXX";
    directory_ = mkdtemp(pattern);
    StoreOptions store_options;
    store_options.url = "sqlite://" + path();
    auto opened = open_store(store_options);
    ASSERT_TRUE(opened.ok()) << opened.error();
    store_ = std::move(*opened);
    zone_.add_txt("example.com._report._dmarc.authorized.example", "v=DMARC1");
    zone_.add_name("unauth.example");
    options_.failure.enabled = true;
    options_.report.org_name = "Receiver";
    options_.report.email = "reports@receiver.example";
    options_.report.submitter = "receiver.example";
    options_.now = kNow;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(directory_);
  }
  std::string path() const { return directory_ + "/records.db"; }
  FailureRunSummary run() {
    return run_failure_reports(*store_, sender_, finder_, zone_, options_);
  }
  std::int64_t count(const char* sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr), SQLITE_OK) << sql;
    std::int64_t value = -1;
    if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return value;
  }

  std::string directory_;
  std::unique_ptr<RecordStore> store_;
  dns::ZoneResolver zone_;
  LastTwoLabels finder_;
  CapturingSender sender_;
  FailureRunOptions options_;
};

TEST_F(FailureRunTest, ExternalRufNeedsItsAuthorizationRecord) {
  ASSERT_TRUE(store_
                  ->append(failing_record(kNow - 60, "example.com",
                                          "mailto:ruf@example.com,mailto:ruf@authorized.example,"
                                          "mailto:ruf@unauth.example"))
                  .ok());
  const auto summary = run();
  EXPECT_EQ(summary.failures, 0) << summary.lines.front();
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[0].first, "ruf@example.com");
  EXPECT_EQ(sender_.sent[1].first, "ruf@authorized.example");
  EXPECT_EQ(summary.refused, 1);
  EXPECT_NE(summary.lines.front().find("refused=ruf@unauth.example"), std::string::npos)
      << summary.lines.front();
  const auto arf = testing::read_arf(sender_.sent[0].second);
  ASSERT_TRUE(arf) << sender_.sent[0].second;
  EXPECT_EQ(arf->fields.at("auth-failure"), "dmarc");
}

TEST_F(FailureRunTest, AnAuthorizationLookupFailureDefersAndKeepsTheRecord) {
  zone_.add_failure("example.com._report._dmarc.flaky.example", dns::RecordType::txt,
                    dns::Outcome::servfail);
  ASSERT_TRUE(
      store_->append(failing_record(kNow - 60, "example.com", "mailto:r@flaky.example")).ok());
  EXPECT_EQ(run().deferred, 1);
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM failures WHERE state = 0"), 1) << "kept for next run";
}

TEST_F(FailureRunTest, PsdPolicyDomainsNeverGetOne) {
  ASSERT_TRUE(
      store_->append(failing_record(kNow - 60, "example.com", "mailto:ruf@example.com", "y")).ok());
  const auto summary = run();
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_EQ(summary.refused, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM failures WHERE state = 0"), 0);
}

TEST_F(FailureRunTest, RateLimitsHoldUnderABurstAndTheRestIsNeverSentLater) {
  options_.failure.max_per_destination = 5;
  options_.failure.max_per_hour = 8;
  for (int i = 0; i < 30; ++i)
    ASSERT_TRUE(
        store_->append(failing_record(kNow - 100 + i, "example.com", "mailto:a@example.com")).ok());
  for (int i = 0; i < 30; ++i)
    ASSERT_TRUE(
        store_->append(failing_record(kNow - 100 + i, "example.org", "mailto:b@example.org")).ok());
  const auto first = run();
  std::map<std::string, int> per_destination;
  for (const auto& [to, mail] : sender_.sent) ++per_destination[to];
  EXPECT_EQ(per_destination["a@example.com"], 5);
  EXPECT_EQ(per_destination["b@example.org"], 3) << "the global bound of 8 per hour";
  EXPECT_EQ(first.sent, 8);
  EXPECT_EQ(first.rate_limited, 52);
  EXPECT_EQ(count("SELECT COUNT(*) FROM failure_deliveries WHERE outcome = 'rate-limited'"), 52);

  // An hour later the limits have room again, but the dropped reports stay dropped.
  options_.now += 2 * 3600;
  sender_.sent.clear();
  const auto later = run();
  EXPECT_EQ(later.sent, 0);
  EXPECT_TRUE(sender_.sent.empty());
}

TEST_F(FailureRunTest, ASecondRunSendsNothingAndAFailedDeliveryIsRetriedOnce) {
  ASSERT_TRUE(
      store_->append(failing_record(kNow - 60, "example.com", "mailto:ruf@example.com")).ok());
  sender_.fail = true;
  const auto failed = run();
  EXPECT_EQ(failed.failed_deliveries, 1);
  EXPECT_EQ(failed.failures, 1);
  sender_.fail = false;
  EXPECT_EQ(run().sent, 1) << "retried: nothing was recorded as sent";
  EXPECT_EQ(run().sent, 0);
  EXPECT_EQ(sender_.sent.size(), 1u);
}

TEST_F(FailureRunTest, RecordsOlderThanADayExpireUnsent) {
  ASSERT_TRUE(
      store_->append(failing_record(kNow - 2 * 86400, "example.com", "mailto:ruf@example.com"))
          .ok());
  const auto summary = run();
  EXPECT_EQ(summary.expired, 1);
  EXPECT_TRUE(sender_.sent.empty());
}

TEST_F(FailureRunTest, DryRunWritesMailsAndRecordsNothing) {
  ASSERT_TRUE(
      store_->append(failing_record(kNow - 60, "example.com", "mailto:ruf@example.com")).ok());
  options_.dry_run = true;
  options_.out_dir = directory_;
  EXPECT_EQ(run().sent, 1);
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_TRUE(std::filesystem::exists(directory_ + "/failure-1-1.eml"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM failure_deliveries"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM failures WHERE state = 0"), 1);
}

TEST_F(FailureRunTest, AFailureRecordIsCommittedWithItsRowOrNotAtAll) {
  ASSERT_TRUE(
      store_->append(failing_record(kNow - 60, "example.com", "mailto:r@example.com")).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM records"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM failures"), 1);
  // Make the failure insert fail (as a full disk or a lost table would) under the store.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER refuse BEFORE INSERT ON failures BEGIN"
                         " SELECT RAISE(ABORT, 'disk full'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const Status stored =
      store_->append(failing_record(kNow - 30, "example.com", "mailto:r@example.com"));
  EXPECT_FALSE(stored.ok()) << "the daemon must hear of it (store.on_failure decides)";
  EXPECT_EQ(count("SELECT COUNT(*) FROM records"), 1) << "the row went with its failure record";
  // A row without a failure record is unaffected.
  auto plain = failing_record(kNow - 20, "example.com", "");
  plain.failure.reset();
  EXPECT_TRUE(store_->append(plain).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM records"), 2);
}

}  // namespace
}  // namespace authmilter::report
