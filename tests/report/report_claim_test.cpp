// report_claim_test.cpp - report runs against rows that commit late and against a run that dies
// half-way, on SQLite and on a private PostgreSQL (issue 20). Every row must reach every
// destination in exactly one Report-ID; a Report-ID sent twice (at-least-once) must carry the
// same rows both times.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "dns/zone_resolver.h"
#include "postgres_support.h"
#include "record_fixtures.h"
#include "report/record_codec.h"
#include "report/report_run.h"
#include "report/sql_connection.h"
#include "report/sql_record_store.h"

namespace authmilter::report {
namespace {

constexpr std::int64_t kDay1 = 1'700'006'400;  // a UTC midnight
const std::string kRua = "mailto:a@example.com,mailto:b@example.com";

ReportRecord row(int variant) {
  auto record = testing::sample_record(kDay1 + variant, "example.com", variant);
  record.policy.rua = kRua;
  sanitize_record(record);
  return record;
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

// Accepts every mail and notes what it carried; `hook` runs once, before the first hand-off.
class CapturingSender final : public ReportSender {
 public:
  Status send(const std::string& mail, const std::string& to) override {
    if (hook) std::exchange(hook, nullptr)();
    sent.push_back(parse_mail(mail, to));
    return Ok{};
  }
  std::function<void()> hook;
  std::vector<SentReport> sent;
};

// A second writer on its own connection, holding a row whose id is taken before rows of the
// store's own appends and which becomes visible only at commit(). On PostgreSQL that is a real
// open transaction (BIGSERIAL takes the id at INSERT); SQLite has one writer at a time, so the
// id is reserved in sqlite_sequence and the row inserted with it at commit(): the same order
// of ids and visibility as the PostgreSQL case.
class LateWriter {
 public:
  explicit LateWriter(std::string url) : url_(std::move(url)) {}

  void begin(const ReportRecord& record) {
    auto opened =
        url_.starts_with("sqlite://") ? open_sqlite(url_.substr(9), false) : open_postgres(url_);
    ASSERT_TRUE(opened.ok()) << opened.error();
    connection_ = std::move(*opened);
    values_ = record_insert_values(record);
    if (connection_->dialect() == SqlDialect::postgresql) {
      ASSERT_TRUE(connection_->execute("BEGIN", {}).ok());
      ASSERT_TRUE(connection_->execute(records_insert_sql(1), values_).ok());
      return;
    }
    ASSERT_TRUE(
        connection_->execute("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'records'", {})
            .ok());
    auto seq = connection_->query("SELECT seq FROM sqlite_sequence WHERE name = 'records'", {});
    ASSERT_TRUE(seq.ok() && seq->size() == 1) << (seq.ok() ? "no sequence" : seq.error());
    values_.insert(values_.begin(), std::int64_t{std::stoll(seq->front().front())});
  }

  void commit() {
    ASSERT_TRUE(connection_);
    if (connection_->dialect() == SqlDialect::postgresql) {
      ASSERT_TRUE(connection_->execute("COMMIT", {}).ok());
      return;
    }
    std::string sql = records_insert_sql(1);
    sql.replace(sql.find("records (") + 9, 0, "id, ");
    sql.replace(sql.find("VALUES (") + 8, 0, "?,");
    const Status inserted = connection_->execute(sql, values_);
    ASSERT_TRUE(inserted.ok()) << inserted.error();
  }

 private:
  std::string url_;
  std::unique_ptr<SqlConnection> connection_;
  std::vector<SqlValue> values_;
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
  void open() {
    StoreOptions options;
    options.url = url_;
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

// Two writers (several MTAs on one PostgreSQL): row 4 takes its id before rows 5-7 but commits
// after the run read the slot. It was in no report, so it must go in the next one, not be
// marked reported with the rows around it.
TEST_P(ReportClaimTest, ALowerIdCommittedAfterTheSlotWasReadGoesInTheNextReport) {
  append(1, 3);
  LateWriter late(url_);
  late.begin(row(4));
  append(5, 3);
  CapturingSender sender;
  sender.hook = [&late] { late.commit(); };  // the run has read the slot, nothing is marked
  const auto first = run(sender);
  ASSERT_EQ(first.reports, 1) << ::testing::PrintToString(first.lines);
  EXPECT_EQ(first.failures, 0) << ::testing::PrintToString(first.lines);
  ASSERT_EQ(sender.sent.size(), 2u);
  EXPECT_EQ(sender.sent[0].messages, 6);
  const auto second = run(sender);
  ASSERT_EQ(second.reports, 1) << "the late row was marked reported unseen";
  ASSERT_EQ(sender.sent.size(), 4u);
  EXPECT_EQ(sender.sent[2].messages, 1);
  EXPECT_NE(sender.sent[2].report_id, sender.sent[0].report_id);
  EXPECT_EQ(run(sender).reports, 0);
  const std::map<std::string, std::int64_t> expected{{"a@example.com", 7}, {"b@example.com", 7}};
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

INSTANTIATE_TEST_SUITE_P(Backends, ReportClaimTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace authmilter::report
