// failure_run.cpp - the failure-report loop; see failure_run.h.
#include "report/failure_run.h"

#include <fstream>
#include <map>

#include "report/destinations.h"
#include "report/failure_mail.h"

namespace authmilter::report {

namespace {

// The hourly counts, read from the store once per destination and kept current as we send.
class RateLimits {
 public:
  RateLimits(RecordStore& store, const FailureRunOptions& options)
      : store_(store), options_(options) {}

  // Result: may one more report go to `destination` now?
  Result<bool> allows(const std::string& destination) {
    const std::int64_t since = options_.now - kRateWindowSeconds;
    if (!total_) {
      auto counted = store_.failures_sent_since("", since);
      if (!counted) return Error{counted.error()};
      total_ = *counted;
    }
    auto known = per_destination_.find(destination);
    if (known == per_destination_.end()) {
      auto counted = store_.failures_sent_since(destination, since);
      if (!counted) return Error{counted.error()};
      known = per_destination_.emplace(destination, *counted).first;
    }
    return *total_ < options_.failure.max_per_hour &&
           known->second < options_.failure.max_per_destination;
  }

  void count_sent(const std::string& destination) {
    ++*total_;
    ++per_destination_[destination];
  }

 private:
  RecordStore& store_;
  const FailureRunOptions& options_;
  std::optional<std::int64_t> total_;
  std::map<std::string, std::int64_t> per_destination_;
};

struct FailureRun {
  RecordStore& store;
  ReportSender& sender;
  const FailureRunOptions& options;
  FailureRunSummary& summary;
  RateLimits limits;
};

// One destination; false when it must be tried again next run.
bool deliver(FailureRun& run, const StoredFailure& failure, const std::string& to,
             std::vector<std::string>& notes) {
  auto& summary = run.summary;
  const auto& options = run.options;
  if (!options.dry_run) {
    auto outcome = run.store.failure_outcome(failure.id, to);
    if (!outcome) {
      ++summary.failures;
      notes.push_back("error=" + outcome.error());
      return false;
    }
    if (!outcome->empty()) return true;  // an earlier run sent or dropped it
  }
  auto allowed = run.limits.allows(to);
  if (!allowed) {
    ++summary.failures;
    notes.push_back("error=" + allowed.error());
    return false;
  }
  if (!*allowed) {
    ++summary.rate_limited;
    notes.push_back("rate-limited=" + to);
    if (options.dry_run) return true;
    auto dropped =
        run.store.record_failure_outcome(failure.id, to, kFailureRateLimited, options.now);
    if (!dropped) notes.push_back("error=" + dropped.error());
    return dropped.ok();
  }
  const std::string from =
      options.failure.from.empty() ? options.report.email : options.failure.from;
  auto mail = build_failure_report(failure, {&options.report, from}, to, options.now);
  if (!mail) {
    ++summary.failures;
    notes.push_back("error=" + mail.error());
    return false;
  }
  if (options.dry_run) {
    const std::string path = options.out_dir + "/failure-" + std::to_string(failure.id) + "-" +
                             std::to_string(summary.sent + 1) + ".eml";
    std::ofstream file(path, std::ios::binary);
    file << *mail;
    file.close();
    if (!file) {
      ++summary.failures;
      notes.push_back("error=cannot write " + path);
      return false;
    }
    ++summary.sent;
    run.limits.count_sent(to);
    notes.push_back("wrote=" + path);
    return true;
  }
  Status sent = run.sender.send(*mail, to);
  if (sent) sent = run.store.record_failure_outcome(failure.id, to, kFailureSent, options.now);
  if (!sent) {
    ++summary.failed_deliveries;
    ++summary.failures;
    notes.push_back("failed=" + to + " (" + sent.error() + ")");
    return false;
  }
  ++summary.sent;
  run.limits.count_sent(to);
  notes.push_back("sent=" + to);
  return true;
}

void handle_failure(FailureRun& run, dmarc::OrgDomainFinder& finder, dns::Resolver& resolver,
                    const StoredFailure& failure) {
  auto& summary = run.summary;
  ++summary.records;
  std::vector<std::string> notes;
  bool complete = true;
  if (failure.psd == "y") {  // RFC 9991: no failure reports for a public suffix's policy
    ++summary.refused;
    notes.emplace_back("refused=psd=y");
  } else {
    const auto plan = plan_destinations(failure.policy_domain, failure.failure.ruf, finder,
                                        resolver, ReportUriKind::failure);
    summary.refused += static_cast<int>(plan.refused.size());
    for (const auto& why : plan.refused) notes.push_back("refused=" + why);
    for (const auto& why : plan.deferred) notes.push_back("deferred=" + why);
    if (!plan.deferred.empty()) {
      ++summary.deferred;
      complete = false;
    }
    for (const auto& to : plan.send)
      if (!deliver(run, failure, to.address, notes)) complete = false;
  }
  if (complete && !run.options.dry_run) {
    if (auto closed = run.store.close_failure(failure.id); !closed) {
      ++summary.failures;
      notes.push_back("error=" + closed.error());
    }
  }
  std::string line = "failure id=" + std::to_string(failure.id) + " " + failure.policy_domain +
                     " fo=" + failure.failure.fired;
  for (const auto& note : notes) line += " " + note;
  summary.lines.push_back(line);
}

}  // namespace

FailureRunSummary run_failure_reports(RecordStore& store, ReportSender& sender,
                                      dmarc::OrgDomainFinder& finder, dns::Resolver& resolver,
                                      const FailureRunOptions& options) {
  FailureRunSummary summary;
  const std::int64_t oldest = options.now - kFailureReportMaxAge;
  if (!options.dry_run) {
    auto expired = store.expire_failures(oldest);
    if (!expired) {
      ++summary.failures;
      summary.lines.push_back("error: " + expired.error());
      return summary;
    }
    summary.expired = *expired;
  }
  auto pending = store.pending_failures(oldest, kFailuresPerRun);
  if (!pending) {
    ++summary.failures;
    summary.lines.push_back("error: " + pending.error());
    return summary;
  }
  FailureRun run{.store = store,
                 .sender = sender,
                 .options = options,
                 .summary = summary,
                 .limits = RateLimits(store, options)};
  for (const auto& failure : *pending) handle_failure(run, finder, resolver, failure);
  if (summary.records > 0 || summary.expired > 0)
    summary.lines.push_back("failure reports: records=" + std::to_string(summary.records) +
                            " sent=" + std::to_string(summary.sent) +
                            " rate-limited=" + std::to_string(summary.rate_limited) +
                            " refused=" + std::to_string(summary.refused) +
                            " deferred=" + std::to_string(summary.deferred) +
                            " failed=" + std::to_string(summary.failed_deliveries) +
                            " expired=" + std::to_string(summary.expired));
  return summary;
}

}  // namespace authmilter::report
