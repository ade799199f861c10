// report_command_line.h - authmilter-report's arguments.
//
//   authmilter-report --config PATH [--dry-run --out-dir DIR] [--domain D]
//                     [--since T] [--until T] [--metrics-file PATH]
//   authmilter-report --config PATH --failure-reports [--dry-run --out-dir DIR]
// T is unix seconds or a UTC date YYYY-MM-DD. parse_report_command_line() returns an error text
// (for stderr, exit status 2) or the options; --dry-run requires --out-dir. --metrics-file names
// a file for node_exporter's textfile collector, rewritten after every run (run_metrics.h).
// --failure-reports sends the RFC 9991 failure reports instead of aggregate reports; the
// aggregate-only options (--domain, --since, --until, --metrics-file) are refused with it.
// Namespace report, after the folder, like filter/daemon (daemon) and filter/check (check); the
// names here (ReportCommandLine, parse_report_*) stay apart from policy/report's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace authmilter::report {

struct ReportCommandLine {
  std::string config_path = "/etc/authmilter/authmilter.yaml";
  bool dry_run = false;
  std::string out_dir;
  std::string domain;
  std::optional<std::int64_t> since;
  std::optional<std::int64_t> until;
  std::string metrics_file;  // empty: none
  bool failure_reports = false;
  bool help = false;
};

Result<ReportCommandLine> parse_report_command_line(int argc, char** argv);
std::optional<std::int64_t> parse_report_time(const std::string& text);

}  // namespace authmilter::report
