// report_run_test.cpp - destinations with a ZoneResolver, delivery, re-runs, retries, dry run.
#include "report/report_run.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "dns/zone_resolver.h"
#include "record_fixtures.h"
#include "report/destinations.h"
#include "report/gzip.h"

namespace authmilter::report {
namespace {

constexpr std::int64_t kDay1 = 1'700'006'400;

// Organizational Domain = the last two labels: enough for these test names.
class LastTwoLabels : public dmarc::OrgDomainFinder {
 public:
  dmarc::OrgDomainAnswer find(std::string_view domain) override {
    std::string text(domain);
    const auto last = text.rfind('.');
    const auto previous = last == std::string::npos ? last : text.rfind('.', last - 1);
    return {false, previous == std::string::npos ? text : text.substr(previous + 1), ""};
  }
};

const std::string kRua =
    "mailto:dmarc@example.com,mailto:rua@thirdparty.example!10m,mailto:rua@unauth.example,"
    "https://example.com/rua";

class ReportRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/authmilter-run-XXXXXX";
    directory_ = mkdtemp(pattern);
    StoreOptions store_options;
    store_options.url = "sqlite://" + directory_ + "/records.db";
    auto opened = open_store(store_options);
    ASSERT_TRUE(opened.ok()) << opened.error();
    store_ = std::move(*opened);
    zone_.add_txt("example.com._report._dmarc.thirdparty.example", "v=DMARC1");
    zone_.add_name("unauth.example");
    options_.report.org_name = "Receiver";
    options_.report.email = "reports@receiver.example";
    options_.report.submitter = "receiver.example";
    options_.now = kDay1 + 2 * 86400 + 3600;
    options_.query.until = options_.now;
    for (int i = 0; i < 7; ++i) {
      auto record = testing::sample_record(kDay1 + i, "example.com", i);
      record.policy.rua = kRua;
      ASSERT_TRUE(store_->append(record).ok());
    }
    auto open_day = testing::sample_record(options_.now - 10, "example.com", 0);
    open_day.policy.rua = kRua;
    ASSERT_TRUE(store_->append(open_day).ok());  // today's interval: not reported yet
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(directory_);
  }
  std::string read(const std::string& name) {
    std::ifstream in(directory_ + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // A fake sendmail: appends "To: ..." of each message to a file.
  SendmailSender appending_sender(const std::string& name) {
    return SendmailSender({"/bin/sh", "-c", "grep '^To:' >>'" + directory_ + "/" + name + "'"});
  }

  std::string directory_;
  std::unique_ptr<RecordStore> store_;
  dns::ZoneResolver zone_;
  LastTwoLabels finder_;
  RunOptions options_;
};

TEST_F(ReportRunTest, DestinationsNeedAuthorizationOutsideTheOrgDomain) {
  const auto plan = plan_destinations("example.com", kRua, finder_, zone_);
  ASSERT_EQ(plan.send.size(), 2u);
  EXPECT_EQ(plan.send[0].address, "dmarc@example.com");
  EXPECT_EQ(plan.send[1].address, "rua@thirdparty.example");
  EXPECT_EQ(plan.send[1].max_bytes, std::optional<std::uint64_t>(10u << 20));
  ASSERT_EQ(plan.refused.size(), 2u);  // unauth.example and the https URI
  EXPECT_TRUE(plan.deferred.empty());
}

TEST_F(ReportRunTest, AnAuthorizingRecordsRuaReplacesTheAddressOnTheSameHostOnly) {
  zone_.add_txt("example.com._report._dmarc.redirect.example",
                "v=DMARC1; rua=mailto:other@redirect.example,mailto:evil@elsewhere.example");
  const auto plan = plan_destinations("example.com", "mailto:rua@redirect.example", finder_, zone_);
  ASSERT_EQ(plan.send.size(), 1u);
  EXPECT_EQ(plan.send[0].address, "other@redirect.example");
}

TEST_F(ReportRunTest, ADnsFailureDefersInsteadOfSending) {
  dns::ZoneResolver failing;
  failing.add_failure("example.com._report._dmarc.thirdparty.example", dns::RecordType::txt,
                      dns::Outcome::servfail);
  failing.add_name("unauth.example");
  const auto plan = plan_destinations("example.com", kRua, finder_, failing);
  EXPECT_EQ(plan.send.size(), 1u);
  EXPECT_EQ(plan.deferred.size(), 1u);
}

TEST_F(ReportRunTest, SendsOnceToEachAuthorizedAddressAndNeverTwice) {
  auto sender = appending_sender("sent.txt");
  const auto first = run_reports(*store_, sender, finder_, zone_, options_);
  ASSERT_EQ(first.reports, 1) << ::testing::PrintToString(first.lines);
  EXPECT_EQ(first.sent, 2);
  EXPECT_EQ(first.failures, 0) << first.lines.front();
  EXPECT_NE(first.lines.front().find("messages=7"), std::string::npos) << first.lines.front();
  EXPECT_EQ(read("sent.txt"), "To: dmarc@example.com\nTo: rua@thirdparty.example\n");
  const auto second = run_reports(*store_, sender, finder_, zone_, options_);
  EXPECT_EQ(second.reports, 0);
  EXPECT_TRUE(second.lines.empty());
  EXPECT_EQ(read("sent.txt"), "To: dmarc@example.com\nTo: rua@thirdparty.example\n");
}

// A destination that fails for longer than the retention: its rows are not kept (and rebuilt
// into a report on every run) for ever; the run says how many were given up.
TEST_F(ReportRunTest, RowsNeverReportedWithinTheRetentionAreDroppedWithAWarning) {
  SendmailSender broken({"/bin/false"});
  options_.now = kDay1 + 40 * 86400;
  options_.query.until = options_.now;
  const auto first = run_reports(*store_, broken, finder_, zone_, options_);
  EXPECT_GT(first.failures, 0);
  const std::string warning = "warning: 8 rows older than the retention were never reported";
  EXPECT_TRUE(std::any_of(first.lines.begin(), first.lines.end(), [&](const auto& line) {
    return line.starts_with(warning);
  })) << ::testing::PrintToString(first.lines);
  auto sender = appending_sender("sent.txt");
  EXPECT_EQ(run_reports(*store_, sender, finder_, zone_, options_).reports, 0);
}

// A row stamped inside a reported interval but committed after its report went out is sent in a
// report of its own, with a new Report-ID (the old one is already delivered everywhere).
TEST_F(ReportRunTest, ARowCommittedAfterItsIntervalWasReportedIsReportedOnItsOwn) {
  auto sender = appending_sender("sent.txt");
  const auto first = run_reports(*store_, sender, finder_, zone_, options_);
  ASSERT_EQ(first.reports, 1);
  auto late = testing::sample_record(kDay1 + 8, "example.com", 8);
  late.policy.rua = kRua;
  ASSERT_TRUE(store_->append(late).ok());
  const auto second = run_reports(*store_, sender, finder_, zone_, options_);
  ASSERT_EQ(second.reports, 1) << ::testing::PrintToString(second.lines);
  EXPECT_EQ(second.sent, 2);
  EXPECT_NE(second.lines.front().find("messages=1"), std::string::npos) << second.lines.front();
  const auto id_of = [](const std::string& line) {
    const auto at = line.find(" id=");
    return at == std::string::npos ? std::string() : line.substr(at, line.find(' ', at + 1) - at);
  };
  EXPECT_FALSE(id_of(first.lines.front()).empty());
  EXPECT_NE(id_of(first.lines.front()), id_of(second.lines.front()));
}

TEST_F(ReportRunTest, AFailedDeliveryIsRetriedWithTheSameReportId) {
  SendmailSender broken({"/bin/false"});
  const auto first = run_reports(*store_, broken, finder_, zone_, options_);
  ASSERT_EQ(first.reports, 1);
  EXPECT_EQ(first.sent, 0);
  EXPECT_EQ(first.failures, 1);
  EXPECT_EQ(first.failed_deliveries, 2);
  EXPECT_EQ(first.deferred, 0);
  EXPECT_GT(first.rows_pending, 0);
  auto sender = appending_sender("sent.txt");
  const auto second = run_reports(*store_, sender, finder_, zone_, options_);
  ASSERT_EQ(second.reports, 1);
  EXPECT_EQ(second.sent, 2);
  EXPECT_EQ(second.failures, 0);
  EXPECT_EQ(second.failed_deliveries, 0);
  EXPECT_EQ(second.rows_pending, 0);
  const auto id = [](const std::string& line) { return line.substr(line.find("id="), 30); };
  EXPECT_EQ(id(first.lines.front()), id(second.lines.front()));
}

TEST_F(ReportRunTest, APartialFailureResendsOnlyTheMissingDestination) {
  // Fails for the third-party address only.
  SendmailSender picky({"/bin/sh", "-c",
                        "grep -q '^To: rua@thirdparty' && exit 75; cat >/dev/null; "
                        "echo sent >>'" +
                            directory_ + "/first.txt'"});
  const auto first = run_reports(*store_, picky, finder_, zone_, options_);
  EXPECT_EQ(first.sent, 1);
  EXPECT_EQ(first.failures, 1);
  auto sender = appending_sender("second.txt");
  const auto second = run_reports(*store_, sender, finder_, zone_, options_);
  EXPECT_EQ(second.sent, 1);
  EXPECT_EQ(read("second.txt"), "To: rua@thirdparty.example\n");
}

TEST_F(ReportRunTest, DryRunWritesFilesAndSendsNothing) {
  options_.dry_run = true;
  options_.out_dir = directory_;
  auto sender = appending_sender("sent.txt");
  const auto summary = run_reports(*store_, sender, finder_, zone_, options_);
  ASSERT_EQ(summary.reports, 1);
  EXPECT_EQ(summary.sent, 0);
  EXPECT_EQ(read("sent.txt"), "");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory_)) {
    if (entry.path().extension() != ".gz") continue;
    ++files;
    auto xml = gunzip(read(entry.path().filename().string()));
    ASSERT_TRUE(xml.ok());
    EXPECT_NE(xml->find("<header_from>example.com</header_from>"), std::string::npos);
  }
  EXPECT_EQ(files, 1);
  options_.dry_run = false;  // nothing was marked: a real run still has the report
  EXPECT_EQ(run_reports(*store_, sender, finder_, zone_, options_).reports, 1);
}

TEST_F(ReportRunTest, Rfc7489ModeHonoursTheSizeLimit) {
  auto record = testing::sample_record(kDay1 + 100, "small.example", 0);
  record.policy.rua = "mailto:a@small.example!1k";
  ASSERT_TRUE(store_->append(record).ok());
  options_.report.format = ReportFormat::rfc7489;
  options_.query.domain = "small.example";
  auto sender = appending_sender("sent.txt");
  auto summary = run_reports(*store_, sender, finder_, zone_, options_);
  ASSERT_EQ(summary.reports, 1);
  EXPECT_EQ(summary.sent, 1);  // a one-row report is far below 1 KiB gzipped
  auto big = testing::sample_record(kDay1 + 100, "big.example", 0);
  big.policy.rua = "mailto:a@big.example!1";
  ASSERT_TRUE(store_->append(big).ok());
  options_.query.domain = "big.example";
  summary = run_reports(*store_, sender, finder_, zone_, options_);
  ASSERT_EQ(summary.reports, 1);
  EXPECT_EQ(summary.sent, 0);
  EXPECT_NE(summary.lines.front().find("too-large=a@big.example"), std::string::npos);
}

}  // namespace
}  // namespace authmilter::report
