// report_run.cpp - the report program's loop; see report_run.h.
#include "report/report_run.h"

#include <fstream>

#include "report/aggregate_report.h"
#include "report/destinations.h"
#include "report/gzip.h"
#include "report/report_mail.h"
#include "report/report_xml.h"

namespace authmilter::report {

namespace {

// What every report of one run shares: the collaborators, the options and the running summary.
struct ReportRun {
  RecordStore& store;
  ReportSender& sender;
  dmarc::OrgDomainFinder& finder;
  dns::Resolver& resolver;
  const RunOptions& options;
  RunSummary& summary;
};

// One report on its way out: the report and its gzipped XML, the attachment of every mail.
struct BuiltReport {
  const AggregateReport& report;
  const std::string& gz;
};

struct ReportOutcome {
  std::vector<std::string> notes;
  bool complete = true;  // nothing left to retry
};

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : " ") + part;
  return out;
}

// deliver - one destination; returns false when it must be retried.
bool deliver(ReportRun& run, const BuiltReport& built, const Destination& to,
             ReportOutcome& outcome) {
  const auto& report = built.report;
  const auto& options = run.options;
  const auto done = run.store.was_delivered(report.report_id, to.address);
  if (!done) {
    outcome.notes.push_back("error=" + done.error());
    return false;
  }
  if (*done) return true;  // an earlier run sent it
  if (options.report.format == ReportFormat::rfc7489 && to.max_bytes &&
      built.gz.size() > *to.max_bytes) {
    outcome.notes.push_back("too-large=" + to.address);  // RFC 7489 §7.2.1: not sent
    return true;
  }
  auto mail = build_report_mail(report, options.report, built.gz, to.address, options.now);
  Status sent = mail ? run.sender.send(*mail, to.address) : Status(Error{mail.error()});
  if (sent) sent = run.store.record_delivery(report.report_id, to.address, options.now);
  if (!sent) {
    ++run.summary.failed_deliveries;
    outcome.notes.push_back("failed=" + to.address + " (" + sent.error() + ")");
    return false;
  }
  ++run.summary.sent;
  outcome.notes.push_back("sent=" + to.address);
  return true;
}

ReportOutcome send_report(ReportRun& run, const BuiltReport& built) {
  ReportOutcome outcome;
  const auto plan = plan_destinations(built.report.slot.policy_domain, built.report.policy.rua,
                                      run.finder, run.resolver);
  for (const auto& why : plan.refused) outcome.notes.push_back("refused=" + why);
  for (const auto& why : plan.deferred) outcome.notes.push_back("deferred=" + why);
  outcome.complete = plan.deferred.empty();
  if (!plan.deferred.empty()) ++run.summary.deferred;
  for (const auto& to : plan.send)
    if (!deliver(run, built, to, outcome)) outcome.complete = false;
  return outcome;
}

// handle_report - build, then write (dry run) or send the report; true when nothing about it is
// left to retry.
bool handle_report(ReportRun& run, const AggregateReport& report) {
  const auto& options = run.options;
  auto& summary = run.summary;
  ++summary.reports;
  std::string line = report.slot.policy_domain + " " + std::to_string(report.slot.begin) + "-" +
                     std::to_string(report.slot.end - 1) + " id=" + report.report_id +
                     " records=" + std::to_string(report.rows.size()) +
                     " messages=" + std::to_string(report.message_count());
  auto xml = write_report_xml(report, options.report);
  auto gz = xml ? gzip(*xml) : Result<std::string>(Error{xml.error()});
  const auto rows = static_cast<std::int64_t>(report.rows.size());
  if (!gz) {
    summary.rows_pending += rows;
    ++summary.failures;
    summary.lines.push_back(line + " error=" + gz.error());
    return false;
  }
  if (options.dry_run) {
    const std::string path = options.out_dir + "/" + report_file_name(report, options.report);
    std::ofstream file(path, std::ios::binary);
    file.write(gz->data(), static_cast<std::streamsize>(gz->size()));
    file.close();
    if (!file) ++summary.failures;
    summary.rows_pending += rows;  // a dry run marks nothing
    summary.lines.push_back(line + (file ? " wrote=" : " error=cannot write ") + path);
    return false;
  }
  auto outcome = send_report(run, {.report = report, .gz = *gz});
  if (outcome.complete) {
    if (auto marked = run.store.mark_reported(report.slot, report.policy_key, report.claim);
        !marked) {
      outcome.notes.push_back("error=" + marked.error());
      outcome.complete = false;
    }
  }
  if (!outcome.complete) {
    ++summary.failures;
    summary.rows_pending += rows;
  }
  summary.lines.push_back(line + " " + join(outcome.notes));
  return outcome.complete;
}

// report_slot - report every claim the slot holds: this run's (`claim`), and any that a run
// which died or could not deliver left open; then close them when every report went out. A dry
// run (claim 0) shows the unclaimed rows too.
void report_slot(ReportRun& run, const ReportSlot& slot, std::int64_t claim) {
  auto& summary = run.summary;
  const bool dry_run = run.options.dry_run;
  auto rows = run.store.rows(slot, dry_run ? RowScope::unreported : RowScope::claimed);
  if (!rows) {
    ++summary.failures;
    summary.lines.push_back(slot.policy_domain + " error: " + rows.error());
    return;
  }
  bool complete = true;
  for (const auto& report : group_reports(run.options.report.submitter, slot, std::move(*rows)))
    if (!handle_report(run, report)) complete = false;
  if (dry_run || !complete) return;
  if (auto closed = run.store.close_slot(slot, claim); !closed) {
    ++summary.failures;
    summary.lines.push_back(slot.policy_domain + " error: " + closed.error());
  }
}

// A real run claims first, in one transaction, and reports what it claimed; a dry run claims
// nothing and shows what a run would report now (claim 0).
Result<RunClaim> claim_or_preview(RecordStore& store, const RunOptions& options) {
  if (!options.dry_run) return store.claim(options.query);
  auto slots = store.pending_slots(options.query);
  if (!slots) return Error{slots.error()};
  return RunClaim{.claim = 0, .slots = std::move(*slots)};
}

}  // namespace

RunSummary run_reports(RecordStore& store, ReportSender& sender, dmarc::OrgDomainFinder& finder,
                       dns::Resolver& resolver, const RunOptions& options) {
  RunSummary summary;
  ReportRun run{.store = store,
                .sender = sender,
                .finder = finder,
                .resolver = resolver,
                .options = options,
                .summary = summary};
  auto claimed = claim_or_preview(store, options);
  if (!claimed) {
    ++summary.failures;
    summary.lines.push_back("error: " + claimed.error());
    return summary;
  }
  for (const auto& slot : claimed->slots) report_slot(run, slot, claimed->claim);
  if (!options.dry_run && options.retention_seconds > 0) {
    if (auto pruned = store.prune(options.now - options.retention_seconds); !pruned) {
      ++summary.failures;
      summary.lines.push_back("error: " + pruned.error());
    } else if (pruned->unreported > 0) {
      summary.lines.push_back("warning: " + std::to_string(pruned->unreported) +
                              " rows older than the retention were never reported (their"
                              " destinations kept failing or deferring) and are deleted");
    }
  }
  return summary;
}

}  // namespace authmilter::report
