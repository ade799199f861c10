// report_claim_test.cpp - report runs against rows that commit late and against a run that dies
// half-way, on SQLite and on a private PostgreSQL (issue 20). Every row must reach every
// destination in exactly one Report-ID; a Report-ID sent twice (at-least-once) must carry the
// same rows both times.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "dns/zone_resolver.h"
#include "postgres_support.h"
#include "record_fixtures.h"
#include "report/aggregate_report.h"
#include "report/record_codec.h"
#include "report/report_run.h"
#include "report/sql_connection.h"
#include "report/sql_record_store.h"

namespace authmilter::report {
namespace {

constexpr std::int64_t kDay1 = 1'700'006'400;  // a UTC midnight
const std::string kRua = "mailto:a@example.com,mailto:b@example.com";

ReportRecord row_at(std::int64_t time, int variant, const std::string& domain = "example.com") {
  auto record = testing::sample_record(time, domain, variant);
  record.policy.rua = kRua;
  sanitize_record(record);
  return record;
}

ReportRecord row(int variant) {
  return row_at(kDay1 + variant, variant);
}

class SameOrgDomain : public dmarc::OrgDomainFinder {
 public:
  dmarc::OrgDomainAnswer find(std::string_view) override { return {false, "example.com", ""}; }
};

// What a destination was sent: Report-ID and message count, read from the mail's text part.
struct SentReport {
  std::string to;
  std::string report_id;
  std::int64_t messages = 0;
};

SentReport parse_mail(const std::string& mail, const std::string& to) {
  SentReport sent{to, "", -1};
  const auto id = mail.find("\nReport-ID: ");  // the body's line; the Subject is folded
  if (id != std::string::npos) {
    const auto begin = id + 12;
    sent.report_id = mail.substr(begin, mail.find_first_of("\r\n", begin) - begin);
  }
  const auto covering = mail.find("covering ");
  if (covering != std::string::npos) sent.messages = std::stoll(mail.substr(covering + 9));
  return sent;
}

// Accepts every mail and notes what it carried; refuses b@ while `refuse_b` is set.
class CapturingSender final : public ReportSender {
 public:
  Status send(const std::string& mail, const std::string& to) override {
    if (refuse_b && to.starts_with("b@")) return Error{"refused"};
    sent.push_back(parse_mail(mail, to));
    return Ok{};
  }
  std::vector<SentReport> sent;
  bool refuse_b = false;
};

// A second writer on its own connection (another MTA's daemon): begin() inserts a row in an open
// transaction, commit() ends it. On PostgreSQL the row's id is taken at INSERT, before rows the
// store appends meanwhile, and the row becomes visible only at commit. SQLite has one writer at
// a time: the open transaction holds the write lock.
class LateWriter {
 public:
  explicit LateWriter(std::string url) : url_(std::move(url)) {}

  void begin(const ReportRecord& record) {
    auto opened =
        url_.starts_with("sqlite://") ? open_sqlite(url_.substr(9), false) : open_postgres(url_);
    ASSERT_TRUE(opened.ok()) << opened.error();
    connection_ = std::move(*opened);
    // As a daemon's append: a plain transaction (PostgreSQL's begin_exclusive() would also take
    // the schema-migration lock); SQLite's holds the write lock from the start.
    const bool sqlite = connection_->dialect() == SqlDialect::sqlite;
    ASSERT_TRUE((sqlite ? connection_->begin_exclusive() : connection_->execute("BEGIN", {})).ok());
    const Status inserted =
        connection_->execute(records_insert_sql(1), record_insert_values(record));
    ASSERT_TRUE(inserted.ok()) << inserted.error();
  }

  void commit() {
    ASSERT_TRUE(connection_);
    const Status committed = connection_->execute("COMMIT", {});
    ASSERT_TRUE(committed.ok()) << committed.error();
  }

 private:
  std::string url_;
  std::unique_ptr<SqlConnection> connection_;
};

class ReportClaimTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      char pattern[] = "/tmp/authmilter-claim-XXXXXX";
      directory_ = mkdtemp(pattern);
      url_ = "sqlite://" + directory_ + "/records.db";
    } else {
      auto url = testing::fresh_postgres_database();
      ASSERT_TRUE(url.ok()) << url.error();
      url_ = *url;
    }
    open();
    options_.report.org_name = "Receiver";
    options_.report.email = "reports@receiver.example";
    options_.report.submitter = "receiver.example";
    options_.now = kDay1 + 2 * 86400;
    options_.query.until = options_.now;
  }
  void TearDown() override {
    store_.reset();
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }
  void open(std::int64_t claim_lock_wait_ms = StoreOptions{}.claim_lock_wait_ms) {
    StoreOptions options;
    options.url = url_;
    options.claim_lock_wait_ms = claim_lock_wait_ms;
    auto opened = open_store(options);
    ASSERT_TRUE(opened.ok()) << opened.error();
    store_ = std::move(*opened);
  }
  void append(int first, int count) {
    for (int i = first; i < first + count; ++i) ASSERT_TRUE(store_->append(row(i)).ok());
  }
  RunSummary run(ReportSender& sender) {
    return run_reports(*store_, sender, finder_, zone_, options_);
  }

  std::string directory_;
  std::string url_;
  std::unique_ptr<RecordStore> store_;
  dns::ZoneResolver zone_;
  SameOrgDomain finder_;
  RunOptions options_;
};

// Per destination: messages over distinct Report-IDs. A Report-ID sent again must carry the
// same count, or its second copy would hide or repeat rows behind an ID the receiver dedupes.
std::map<std::string, std::int64_t> messages_per_destination(const std::vector<SentReport>& sent) {
  std::map<std::string, std::map<std::string, std::int64_t>> seen;
  for (const auto& report : sent) {
    auto [at, fresh] = seen[report.to].emplace(report.report_id, report.messages);
    EXPECT_TRUE(fresh || at->second == report.messages)
        << report.to << " got Report-ID " << report.report_id << " with " << at->second
        << " and with " << report.messages << " messages";
  }
  std::map<std::string, std::int64_t> total;
  for (const auto& [to, reports] : seen)
    for (const auto& [id, messages] : reports) total[to] += messages;
  return total;
}

// Two writers (several MTAs on one PostgreSQL): row 4 takes its id before rows 5-7 and is
// still uncommitted when the run starts. The claim waits for it (report_ledger.h): a bound
// taken without waiting would put row 4 inside a claimed range unseen, and no report would
// ever carry it. On SQLite the open transaction holds the write lock, so the store's own rows
// cannot come in between; the claim waits all the same.
//
// On PostgreSQL a third MTA appends while the claim waits, and must not be held back: its row
// is committed before row 4's transaction ends (with a claim that blocked new inserts, it
// could not be, and the claim would time out), and goes in the next report.
TEST_P(ReportClaimTest, ARowUncommittedWhenTheRunStartsIsWaitedForAndReportedOnce) {
  const bool postgres = GetParam() == "postgresql";
  store_.reset();
  open(5000);
  append(1, 3);
  LateWriter late(url_);
  late.begin(row(4));
  if (postgres) append(5, 3);
  StoreOptions third_options;
  third_options.url = url_;
  std::thread writers([&late, &third_options, postgres] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (postgres) {
      auto third = open_store(third_options);
      ASSERT_TRUE(third.ok()) << third.error();
      const Status appended = (*third)->append(row(8));
      EXPECT_TRUE(appended.ok()) << appended.error();
    }
    late.commit();
  });
  CapturingSender sender;
  const auto first = run(sender);
  writers.join();
  EXPECT_EQ(first.failures, 0) << ::testing::PrintToString(first.lines);
  ASSERT_EQ(first.reports, 1) << ::testing::PrintToString(first.lines);
  ASSERT_EQ(sender.sent.size(), 2u);
  const std::int64_t rows = postgres ? 7 : 4;
  EXPECT_EQ(sender.sent[0].messages, rows);
  EXPECT_EQ(run(sender).reports, postgres ? 1 : 0);
  EXPECT_EQ(run(sender).reports, 0);
  const std::int64_t all = postgres ? 8 : 4;
  const std::map<std::string, std::int64_t> expected{{"a@example.com", all},
                                                     {"b@example.com", all}};
  EXPECT_EQ(messages_per_destination(sender.sent), expected);
}

// A writer's transaction that stays open longer than the claim may wait: the run fails, says
// why, sends and claims nothing; the next run reports every row once. (SQLite: the same wait is
// its 10 s busy timeout, too long for a unit test.)
TEST_P(ReportClaimTest, AClaimThatCannotWaitLongerFailsAndTheNextRunReportsEverything) {
  if (GetParam() != "postgresql")
    GTEST_SKIP() << "PostgreSQL only: SQLite's wait is its 10 s busy timeout";
  store_.reset();
  open(200);
  append(1, 3);
  LateWriter late(url_);
  late.begin(row(4));
  CapturingSender sender;
  const auto failed = run(sender);
  EXPECT_EQ(failed.failures, 1);
  ASSERT_EQ(failed.lines.size(), 1u);
  EXPECT_NE(failed.lines[0].find("open transaction"), std::string::npos) << failed.lines[0];
  EXPECT_TRUE(sender.sent.empty());
  late.commit();
  const auto second = run(sender);
  EXPECT_EQ(second.failures, 0) << ::testing::PrintToString(second.lines);
  ASSERT_EQ(second.reports, 1);
  const std::map<std::string, std::int64_t> expected{{"a@example.com", 4}, {"b@example.com", 4}};
  EXPECT_EQ(messages_per_destination(sender.sent), expected);
}

// The report program dies (kill -9, a reboot) while handing the report to its second
// destination: the first one is recorded as delivered, nothing is marked reported. Rows of the
// slot then commit late. The next run finishes the report with the same Report-ID and the same
// rows, and reports the late rows apart, to both destinations.
TEST_P(ReportClaimTest, ARunThatDiesBeforeMarkingIsFinishedAndLateRowsAreReportedApart) {
  append(1, 5);
  const std::string log = (directory_.empty() ? std::string("/tmp") : directory_) + "/sent-" +
                          std::to_string(getpid()) + ".txt";
  store_.reset();  // the child opens its own; fork with the writer thread running is unsafe
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    open();
    struct Dying final : ReportSender {
      std::string log;
      Status send(const std::string& mail, const std::string& to) override {
        const auto sent = parse_mail(mail, to);
        std::ofstream(log, std::ios::app)
            << sent.to << ' ' << sent.report_id << ' ' << sent.messages << '\n';
        if (to.starts_with("b@")) _exit(0);  // handed off, then the process is gone
        return Ok{};
      }
    } sender;
    sender.log = log;
    (void)run(sender);
    _exit(3);  // the run must not get past the second destination
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  open();
  std::vector<SentReport> sent;
  std::ifstream in(log);
  for (SentReport report; in >> report.to >> report.report_id >> report.messages;)
    sent.push_back(report);
  std::filesystem::remove(log);
  ASSERT_EQ(sent.size(), 2u);
  append(6, 2);  // stamped inside the slot, committed after the crash
  CapturingSender sender;
  const auto second = run(sender);
  EXPECT_EQ(second.failures, 0) << ::testing::PrintToString(second.lines);
  EXPECT_EQ(run(sender).reports, 0);
  sent.insert(sent.end(), sender.sent.begin(), sender.sent.end());
  const std::map<std::string, std::int64_t> expected{{"a@example.com", 7}, {"b@example.com", 7}};
  EXPECT_EQ(messages_per_destination(sent), expected) << ::testing::PrintToString(second.lines);
}

// Rows of a day still receiving mail are not claimed with the closed day before it; the next
// run, once that day has ended, reports all of its rows in one report, including those that
// were already stored at the first run (found by time, not by id: report_ledger.h).
TEST_P(ReportClaimTest, RowsOfAnOpenDayWaitForItsEndAndGoInOneReport) {
  constexpr std::int64_t kDay2 = kDay1 + 86400;
  append(1, 3);
  ASSERT_TRUE(store_->append(row_at(kDay2 + 10, 4)).ok());
  ASSERT_TRUE(store_->append(row_at(kDay2 + 20, 5)).ok());
  options_.now = options_.query.until = kDay2 + 3600;
  CapturingSender sender;
  const auto first = run(sender);
  EXPECT_EQ(first.failures, 0) << ::testing::PrintToString(first.lines);
  ASSERT_EQ(first.reports, 1) << ::testing::PrintToString(first.lines);
  EXPECT_EQ(sender.sent[0].messages, 3);
  ASSERT_TRUE(store_->append(row_at(kDay2 + 7200, 6)).ok());
  options_.now = options_.query.until = kDay2 + 86400 + 60;
  const auto second = run(sender);
  ASSERT_EQ(second.reports, 1) << ::testing::PrintToString(second.lines);
  ASSERT_EQ(sender.sent.size(), 4u);
  EXPECT_EQ(sender.sent[2].messages, 3);
  EXPECT_EQ(run(sender).reports, 0);
  const std::map<std::string, std::int64_t> expected{{"a@example.com", 6}, {"b@example.com", 6}};
  EXPECT_EQ(messages_per_destination(sender.sent), expected);
}

// A run for one domain (--domain) claims that domain's rows only; the full run after it claims
// the rest and not that domain's again.
TEST_P(ReportClaimTest, ADomainRunThenAFullRunReportEachRowOnce) {
  append(1, 3);
  for (int i = 1; i <= 2; ++i)
    ASSERT_TRUE(store_->append(row_at(kDay1 + 100 + i, i, "other.example")).ok());
  CapturingSender sender;
  options_.query.domain = "other.example";
  const auto only = run(sender);
  ASSERT_EQ(only.reports, 1) << ::testing::PrintToString(only.lines);
  EXPECT_EQ(sender.sent[0].messages, 2);
  options_.query.domain.clear();
  const auto full = run(sender);
  ASSERT_EQ(full.reports, 1) << ::testing::PrintToString(full.lines);
  ASSERT_EQ(sender.sent.size(), 4u);
  EXPECT_EQ(sender.sent[2].messages, 3);
  EXPECT_EQ(run(sender).reports, 0);
  const std::map<std::string, std::int64_t> expected{{"a@example.com", 5}, {"b@example.com", 5}};
  EXPECT_EQ(messages_per_destination(sender.sent), expected);
}

// The store as a schema-4 run left it when it died: row 1 reported (reported = 1), rows 2-4
// claimed (claim 9) with the report already at a@ but not at b@, and row 5 committed after that
// claim. Schema 5 keeps claim 9 as it was: the same rows under the same Report-ID, so a@ is not
// sent them twice and b@ gets them; row 5 gets a report of its own.
TEST_P(ReportClaimTest, AClaimLeftBySchemaFourIsFinishedWithItsReportId) {
  append(1, 5);
  auto raw = GetParam() == "sqlite" ? open_sqlite(url_.substr(9), false) : open_postgres(url_);
  ASSERT_TRUE(raw.ok()) << raw.error();
  ASSERT_TRUE((*raw)->execute("UPDATE records SET reported = 1 WHERE id = 1", {}).ok());
  ASSERT_TRUE((*raw)->execute("UPDATE records SET claim = 9 WHERE id BETWEEN 2 AND 4", {}).ok());
  ASSERT_TRUE((*raw)->execute("UPDATE report_claims SET last_claim = 9", {}).ok());
  const ReportSlot slot{"example.com", kDay1, kDay1 + 86400};
  const std::string old_id =
      report_id_for(options_.report.submitter, slot, policy_key(row(2).policy), 2);
  ASSERT_TRUE(store_->record_delivery(old_id, "a@example.com", kDay1).ok());
  CapturingSender sender;
  const auto first = run(sender);
  EXPECT_EQ(first.failures, 0) << ::testing::PrintToString(first.lines);
  ASSERT_EQ(first.reports, 2) << ::testing::PrintToString(first.lines);
  std::map<std::string, std::int64_t> by_id;
  for (const auto& sent : sender.sent) by_id[sent.report_id + " " + sent.to] = sent.messages;
  EXPECT_EQ(by_id.count(old_id + " a@example.com"), 0u) << "sent again to a@";
  EXPECT_EQ(by_id[old_id + " b@example.com"], 3);
  ASSERT_EQ(sender.sent.size(), 3u);
  EXPECT_EQ(run(sender).reports, 0);
  std::vector<SentReport> all = sender.sent;
  all.push_back({"a@example.com", old_id, 3});  // what schema 4 had delivered
  const std::map<std::string, std::int64_t> expected{{"a@example.com", 4}, {"b@example.com", 4}};
  EXPECT_EQ(messages_per_destination(all), expected);
}

// --since in the middle of a day: only slots that begin at or after it are claimed, reported and
// shown by the dry run; the day it falls in is left whole for a later run.
TEST_P(ReportClaimTest, SinceInsideADayLeavesThatDayWholeForALaterRun) {
  constexpr std::int64_t kDay2 = kDay1 + 86400;
  append(1, 3);
  ASSERT_TRUE(store_->append(row_at(kDay2 + 10, 4)).ok());
  options_.now = options_.query.until = kDay2 + 86400 + 60;
  options_.query.since = kDay1 + 3600;
  auto preview = store_->pending_slots(options_.query);
  ASSERT_TRUE(preview.ok()) << preview.error();
  const std::vector<ReportSlot> day2{{"example.com", kDay2, kDay2 + 86400}};
  EXPECT_EQ(*preview, day2);
  CapturingSender sender;
  const auto first = run(sender);
  ASSERT_EQ(first.reports, 1) << ::testing::PrintToString(first.lines);
  EXPECT_EQ(sender.sent[0].messages, 1);
  options_.query.since = 0;
  const auto second = run(sender);
  ASSERT_EQ(second.reports, 1) << ::testing::PrintToString(second.lines);
  EXPECT_EQ(sender.sent[2].messages, 3);
  EXPECT_EQ(run(sender).reports, 0);
}

// The report interval changed (a day, then 12 hours): a row that arrives late in the second
// half of a day already reported whole is reported alone, not with that half's earlier rows.
TEST_P(ReportClaimTest, AShorterIntervalDoesNotReportRowsOfALongerOneAgain) {
  append(1, 3);
  ASSERT_TRUE(store_->append(row_at(kDay1 + 50'000, 4)).ok());
  CapturingSender sender;
  const auto daily = run(sender);
  ASSERT_EQ(daily.reports, 1) << ::testing::PrintToString(daily.lines);
  EXPECT_EQ(sender.sent[0].messages, 4);
  ASSERT_TRUE(store_->append(row_at(kDay1 + 60'000, 5)).ok());
  options_.query.interval_seconds = 43'200;
  const auto halves = run(sender);
  ASSERT_EQ(halves.reports, 1) << ::testing::PrintToString(halves.lines);
  ASSERT_EQ(sender.sent.size(), 4u);
  EXPECT_EQ(sender.sent[2].messages, 1);
  EXPECT_EQ(run(sender).reports, 0);
}

// 12 hours, then a day: the second half of the day was still open at the 12-hour run, so its
// rows, whatever their ids, go in the daily report; the first half's do not go again.
TEST_P(ReportClaimTest, ALongerIntervalReportsWhatTheShorterOneLeftOpen) {
  options_.query.interval_seconds = 43'200;
  append(1, 2);
  ASSERT_TRUE(store_->append(row_at(kDay1 + 50'000, 3)).ok());
  options_.now = options_.query.until = kDay1 + 43'200 + 60;
  CapturingSender sender;
  const auto halves = run(sender);
  ASSERT_EQ(halves.reports, 1) << ::testing::PrintToString(halves.lines);
  EXPECT_EQ(sender.sent[0].messages, 2);
  options_.query.interval_seconds = 86'400;
  options_.now = options_.query.until = kDay1 + 86'400 + 60;
  const auto daily = run(sender);
  ASSERT_EQ(daily.reports, 1) << ::testing::PrintToString(daily.lines);
  ASSERT_EQ(sender.sent.size(), 4u);
  EXPECT_EQ(sender.sent[2].messages, 1);
  EXPECT_EQ(run(sender).reports, 0);
}

// A day left open (b@ refused), then 12 hours, then a day again: every row reaches each
// destination once. Row 4 lies inside the day's later range but an earlier half-day claim holds
// it: the lowest claim covering a row owns it.
TEST_P(ReportClaimTest, IntervalChangesWithAnOpenClaimReportEachRowOnce) {
  append(1, 2);
  ASSERT_TRUE(store_->append(row_at(kDay1 + 50'000, 3)).ok());
  CapturingSender sender;
  sender.refuse_b = true;
  const auto first = run(sender);
  EXPECT_EQ(first.failures, 1) << ::testing::PrintToString(first.lines);
  sender.refuse_b = false;
  ASSERT_TRUE(store_->append(row_at(kDay1 + 100, 4)).ok());
  options_.query.interval_seconds = 43'200;
  const auto halves = run(sender);
  EXPECT_EQ(halves.failures, 0) << ::testing::PrintToString(halves.lines);
  ASSERT_TRUE(store_->append(row_at(kDay1 + 200, 5)).ok());
  options_.query.interval_seconds = 86'400;
  const auto daily = run(sender);
  EXPECT_EQ(daily.failures, 0) << ::testing::PrintToString(daily.lines);
  EXPECT_EQ(run(sender).reports, 0);
  const std::map<std::string, std::int64_t> expected{{"a@example.com", 5}, {"b@example.com", 5}};
  EXPECT_EQ(messages_per_destination(sender.sent), expected)
      << ::testing::PrintToString(halves.lines) << ::testing::PrintToString(daily.lines);
}

// Pruning counts a row as reported only when the claim that owns it (the lowest covering it)
// went out: here rows 1-3 stay under the day's open claim (b@ refuses), while a later 12-hour
// claim, closed, also covers rows 1 and 2; only row 4 was reported.
TEST_P(ReportClaimTest, PruningCountsRowsByTheClaimThatOwnsThem) {
  append(1, 2);
  ASSERT_TRUE(store_->append(row_at(kDay1 + 50'000, 3)).ok());
  CapturingSender sender;
  sender.refuse_b = true;
  EXPECT_EQ(run(sender).failures, 1);
  auto only_a = row_at(kDay1 + 100, 4);
  only_a.policy.rua = "mailto:a@example.com";
  ASSERT_TRUE(store_->append(only_a).ok());
  options_.query.interval_seconds = 43'200;
  const auto halves = run(sender);
  EXPECT_EQ(halves.failures, 1) << ::testing::PrintToString(halves.lines);  // the day's, again
  auto pruned = store_->prune(kDay1 + 86'400);
  ASSERT_TRUE(pruned.ok()) << pruned.error();
  EXPECT_EQ(pruned->reported, 1);
  EXPECT_EQ(pruned->unreported, 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportClaimTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace authmilter::report
