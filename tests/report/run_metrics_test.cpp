// run_metrics.h: a run's figures in the textfile-collector format, and the atomic file write.
#include "report/run_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace authmilter::report {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RunMetrics, EveryFigureIsAGaugeWithItsValue) {
  RunSummary summary;
  summary.reports = 3;
  summary.sent = 4;
  summary.deferred = 1;
  summary.failed_deliveries = 2;
  summary.failures = 2;
  summary.rows_pending = 17;
  const std::string text =
      render_run_metrics(summary, {1700000000, std::chrono::duration<double>(1.5)});
  for (const char* line : {
           "# TYPE authmilter_report_last_run_reports gauge\nauthmilter_report_last_run_reports "
           "3\n",
           "\nauthmilter_report_last_run_sent 4\n",
           "\nauthmilter_report_last_run_deferred 1\n",
           "\nauthmilter_report_last_run_failed_deliveries 2\n",
           "\nauthmilter_report_last_run_failures 2\n",
           "\nauthmilter_report_rows_pending 17\n",
           "\nauthmilter_report_last_run_success 0\n",
           "\nauthmilter_report_last_run_timestamp_seconds 1700000000\n",
           "\nauthmilter_report_last_run_duration_seconds 1.5\n",
       }) {
    SCOPED_TRACE(line);
    EXPECT_NE(text.find(line), std::string::npos) << text;
  }
}

TEST(RunMetrics, SuccessIsOneWithoutFailures) {
  const std::string text = render_run_metrics(RunSummary{}, {});
  EXPECT_NE(text.find("\nauthmilter_report_last_run_success 1\n"), std::string::npos) << text;
}

class MetricsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() / ("run-metrics-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::filesystem::path directory_;
};

TEST_F(MetricsFileTest, ReplacesTheFileAndLeavesNoTemporary) {
  const std::string path = (directory_ / "authmilter_report.prom").string();
  ASSERT_TRUE(write_metrics_file(path, "first\n").ok());
  ASSERT_TRUE(write_metrics_file(path, "second\n").ok());
  EXPECT_EQ(read_file(path), "second\n");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory_))
    ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(MetricsFileTest, AMissingDirectoryIsAnErrorNamingThePath) {
  const std::string path = (directory_ / "absent" / "x.prom").string();
  const Status written = write_metrics_file(path, "x\n");
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().find(path), std::string::npos) << written.error();
}

}  // namespace
}  // namespace authmilter::report
