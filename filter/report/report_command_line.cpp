// report_command_line.cpp - argv -> ReportCommandLine.
#include "report_command_line.h"

#include <charconv>
#include <ctime>

#include "common/ascii.h"

namespace authmilter::report {

std::optional<std::int64_t> parse_report_time(const std::string& text) {
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size() && seconds >= 0) return seconds;
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (rest == nullptr || *rest != '\0') return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

Result<ReportCommandLine> parse_report_command_line(int argc, char** argv) {
  ReportCommandLine line;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      line.help = true;
    } else if (arg == "--dry-run") {
      line.dry_run = true;
    } else if (arg == "--failure-reports") {
      line.failure_reports = true;
    } else if (arg == "--config" || arg == "--out-dir" || arg == "--domain" || arg == "--since" ||
               arg == "--until" || arg == "--metrics-file") {
      if (!has_value) return Error{arg + " needs a value"};
      const std::string value = argv[++i];
      if (arg == "--config") line.config_path = value;
      if (arg == "--out-dir") line.out_dir = value;
      // Stored policy domains are lower-case without a final dot: "--domain EXAMPLE.com."
      // must find them, not silently match nothing.
      if (arg == "--domain") {
        line.domain = lower_ascii(value);
        if (!line.domain.empty() && line.domain.back() == '.') line.domain.pop_back();
        if (line.domain.empty()) return Error{"--domain needs a domain name"};
      }
      if (arg == "--metrics-file") line.metrics_file = value;
      if (arg == "--since" || arg == "--until") {
        const auto time = parse_report_time(value);
        if (!time) return Error{arg + ": expected unix seconds or YYYY-MM-DD, got '" + value + "'"};
        (arg == "--since" ? line.since : line.until) = *time;
      }
    } else {
      return Error{"unknown argument '" + arg + "'"};
    }
  }
  if (line.dry_run && line.out_dir.empty()) return Error{"--dry-run needs --out-dir DIR"};
  if (!line.dry_run && !line.out_dir.empty()) return Error{"--out-dir is for --dry-run"};
  if (line.failure_reports &&
      (!line.domain.empty() || line.since || line.until || !line.metrics_file.empty()))
    return Error{"--failure-reports takes no --domain, --since, --until or --metrics-file"};
  return line;
}

}  // namespace authmilter::report
