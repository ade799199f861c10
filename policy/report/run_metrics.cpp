#include "report/run_metrics.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "metrics/exposition.h"

namespace authmilter::report {

namespace {

void gauge(metrics::ExpositionWriter& out, const char* name, const char* help, double value) {
  out.family(name, help, "gauge");
  out.sample(name, {}, value);
}

}  // namespace

std::string render_run_metrics(const RunSummary& summary, const RunTiming& timing) {
  metrics::ExpositionWriter out;
  gauge(out, "authmilter_report_last_run_reports", "Aggregate reports built by the last run.",
        summary.reports);
  gauge(out, "authmilter_report_last_run_sent",
        "Report deliveries (one per destination) sent by the last run.", summary.sent);
  gauge(out, "authmilter_report_last_run_deferred",
        "Reports the last run kept for the next one because a destination was deferred.",
        summary.deferred);
  gauge(out, "authmilter_report_last_run_failed_deliveries",
        "Destinations whose delivery failed in the last run (retried next run).",
        summary.failed_deliveries);
  gauge(out, "authmilter_report_last_run_failures",
        "Store, build or delivery failures of the last run (exit status 1 when not 0).",
        summary.failures);
  gauge(out, "authmilter_report_rows_pending",
        "Rows of closed intervals still unreported after the last run.",
        static_cast<double>(summary.rows_pending));
  gauge(out, "authmilter_report_last_run_success", "1 if the last run had no failure, else 0.",
        summary.failures == 0 ? 1 : 0);
  gauge(out, "authmilter_report_last_run_timestamp_seconds", "Unix time the last run started.",
        static_cast<double>(timing.started_unix_seconds));
  gauge(out, "authmilter_report_last_run_duration_seconds", "How long the last run took.",
        timing.duration.count());
  return out.text();
}

Status write_metrics_file(const std::string& path, const std::string& text) {
  // Same directory as the target, so that rename(2) replaces it atomically.
  const std::string temporary = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
      std::remove(temporary.c_str());
      return Error{"cannot write " + temporary};
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temporary.c_str());
    return Error{"cannot rename " + temporary + " to " + path + ": " + why};
  }
  return Ok{};
}

}  // namespace authmilter::report
