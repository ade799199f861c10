// main.cpp - authmilter-report: mail the aggregate reports of closed intervals (run by cron),
// or with --failure-reports the RFC 9991 failure reports the daemon recorded (failure_run.h).
//
// Reads the daemon's config file with the daemon's loader (conf::load_config), so a file the
// daemon rejects is rejected here too, and both use the same store, reports and dns settings.
// Exit status: 0 all done (or nothing to do), 1 some report failed or was deferred (retried on
// the next run), 2 usage or configuration error. One line per report on stdout; quiet when
// there is nothing to do. With --metrics-file, the run's figures are written there afterwards
// (failed runs included) for node_exporter's textfile collector.
#include <chrono>
#include <ctime>
#include <iostream>

#include "conf/config.h"
#include "dmarc/org_domain.h"
#include "dns/unbound_resolver.h"
#include "report/failure_run.h"
#include "report/report_run.h"
#include "report/run_metrics.h"
#include "report/smtp_sender.h"
#include "report_command_line.h"

namespace {

using namespace authmilter;

constexpr const char* kUsage =
    "usage: authmilter-report --config PATH [--dry-run --out-dir DIR] [--domain D]\n"
    "                         [--since T] [--until T]   (T: unix seconds or YYYY-MM-DD)\n"
    "                         [--metrics-file PATH]\n"
    "  Reports the intervals that ended by --until (default: now). A later --until closes the\n"
    "  current interval early; its later mail goes out in a further report with its own ID.\n"
    "  --metrics-file: write the run's figures there (node_exporter textfile collector).\n"
    "       authmilter-report --config PATH --failure-reports [--dry-run --out-dir DIR]\n"
    "  Sends the recorded failure reports (failure_reports.enabled), within its rate limits.\n";

// RFC 7489 §3.2 Organizational Domains for the external-destination check.
class PslFinder final : public dmarc::OrgDomainFinder {
 public:
  explicit PslFinder(std::shared_ptr<const dmarc::PublicSuffixList> list)
      : list_(std::move(list)) {}
  dmarc::OrgDomainAnswer find(std::string_view domain) override {
    return {false, list_->org_domain(domain), ""};
  }

 private:
  std::shared_ptr<const dmarc::PublicSuffixList> list_;
};

// A run that could not start: one failure, reported like the others.
report::RunSummary failed_to_start(const std::string& why) {
  std::cerr << "authmilter-report: " << why << "\n";
  report::RunSummary summary;
  summary.failures = 1;
  return summary;
}

std::unique_ptr<report::ReportSender> make_sender(const report::ReportOptions& reports) {
  if (reports.delivery == report::DeliveryMethod::smtp)
    return std::make_unique<report::SmtpSender>(reports.smtp);
  return std::make_unique<report::SendmailSender>(reports.sendmail_command);
}

// --failure-reports: exit status 0 when everything went or was dropped by a limit, 1 when
// something failed or was deferred (it is tried again next run), 2 when the run cannot start.
int run_failure_reports(const report::ReportCommandLine& line, const conf::Config& settings) {
  if (!settings.evaluation.failure_reports.enabled) {
    std::cerr << "authmilter-report: failure_reports.enabled is false; nothing is sent\n";
    return 0;
  }
  auto store = report::open_store(settings.store);
  if (!store) return std::cerr << "authmilter-report: " << store.error() << "\n", 1;
  auto resolver = dns::UnboundResolver::create(settings.dns);
  if (!resolver) return std::cerr << "authmilter-report: " << resolver.error() << "\n", 1;
  auto psl = dmarc::load_shared_public_suffix_list(settings.reports.public_suffix_list);
  if (!psl) return std::cerr << "authmilter-report: " << psl.error() << "\n", 1;
  PslFinder finder(*psl);
  auto sender = make_sender(settings.reports);
  report::FailureRunOptions options;
  options.failure = settings.evaluation.failure_reports;
  options.report = settings.reports;
  options.now = static_cast<std::int64_t>(std::time(nullptr));
  options.dry_run = line.dry_run;
  options.out_dir = line.out_dir;
  const auto summary = report::run_failure_reports(**store, *sender, finder, **resolver, options);
  for (const auto& text : summary.lines) std::cout << text << "\n";
  return summary.failures == 0 && summary.deferred == 0 ? 0 : 1;
}

report::RunSummary run(const report::ReportCommandLine& line, const conf::Config& settings,
                       std::int64_t now) {
  auto store = report::open_store(settings.store);
  if (!store) return failed_to_start(store.error());
  auto resolver = dns::UnboundResolver::create(settings.dns);
  if (!resolver) return failed_to_start(resolver.error());
  auto psl = dmarc::load_shared_public_suffix_list(settings.reports.public_suffix_list);
  if (!psl) return failed_to_start(psl.error());
  PslFinder finder(*psl);
  auto sender = make_sender(settings.reports);

  report::RunOptions options;
  options.report = settings.reports;
  options.now = now;
  options.query.interval_seconds = settings.reports.interval_seconds;
  options.query.until = line.until.value_or(options.now);
  options.query.since = line.since.value_or(0);
  options.query.domain = line.domain;
  options.retention_seconds = settings.store.retention_seconds;
  options.dry_run = line.dry_run;
  options.out_dir = line.out_dir;
  auto summary = report::run_reports(**store, *sender, finder, **resolver, options);
  for (const auto& text : summary.lines) std::cout << text << "\n";
  return summary;
}

// Runs, then writes the figures to --metrics-file (if given); a file that cannot be written
// makes the exit status 1, since monitoring then shows stale figures.
int run_and_record(const report::ReportCommandLine& line, const conf::Config& settings) {
  const auto started = std::chrono::steady_clock::now();
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const report::RunSummary summary = run(line, settings, now);
  int status = summary.failures == 0 ? 0 : 1;
  if (!line.metrics_file.empty()) {
    const report::RunTiming timing{now, std::chrono::steady_clock::now() - started};
    const Status written =
        report::write_metrics_file(line.metrics_file, report::render_run_metrics(summary, timing));
    if (!written) {
      std::cerr << "authmilter-report: metrics file: " << written.error() << "\n";
      status = 1;
    }
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  auto line = report::parse_report_command_line(argc, argv);
  if (!line) return std::cerr << "authmilter-report: " << line.error() << "\n" << kUsage, 2;
  if (line->help) return std::cout << kUsage, 0;
  auto config = conf::load_config(line->config_path);
  if (!config) return std::cerr << "authmilter-report: " << config.error() << "\n", 2;
  if (line->failure_reports) return run_failure_reports(*line, *config);
  return run_and_record(*line, *config);
}
