// report_command_line_test.cpp - authmilter-report's arguments (filter/report/).
#include "report_command_line.h"

#include <gtest/gtest.h>

namespace authmilter::report {
namespace {

Result<ReportCommandLine> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "authmilter-report");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  return parse_report_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(ReportCommandLine, ReadsEveryOption) {
  auto line = parse({"--config", "/etc/a.yaml", "--dry-run", "--out-dir", "/tmp/x", "--domain",
                     "example.com", "--since", "2023-11-15", "--until", "1700092800",
                     "--metrics-file", "/var/lib/node/authmilter_report.prom"});
  ASSERT_TRUE(line.ok()) << line.error();
  EXPECT_EQ(line->config_path, "/etc/a.yaml");
  EXPECT_TRUE(line->dry_run);
  EXPECT_EQ(line->out_dir, "/tmp/x");
  EXPECT_EQ(line->domain, "example.com");
  EXPECT_EQ(line->since, 1700006400);  // 2023-11-15T00:00:00Z
  EXPECT_EQ(line->until, 1700092800);
  EXPECT_EQ(line->metrics_file, "/var/lib/node/authmilter_report.prom");
  EXPECT_TRUE(parse({}).value().metrics_file.empty());
}

TEST(ReportCommandLine, DomainIsNormalisedAsStored) {
  auto line = parse({"--domain", "EXAMPLE.Com."});
  ASSERT_TRUE(line.ok()) << line.error();
  EXPECT_EQ(line->domain, "example.com");
  EXPECT_FALSE(parse({"--domain", "."}).ok());
}

TEST(ReportCommandLine, RejectsMistakes) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--dry-run"},
                                                                {"--out-dir", "/tmp"},
                                                                {"--since"},
                                                                {"--metrics-file"},
                                                                {"--since", "yesterday"},
                                                                {"--until", "2023-02-30x"},
                                                                {"--until", "-5"},
                                                                {"--frobnicate"}}) {
    SCOPED_TRACE(::testing::PrintToString(args));
    EXPECT_FALSE(parse(args).ok());
  }
}

}  // namespace
}  // namespace authmilter::report
