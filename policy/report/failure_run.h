// failure_run.h - one run of authmilter-report --failure-reports: open records -> ARF mails.
//
// First every record still open from before now - kFailureReportMaxAge is expired (a failure
// report is for acting on soon; one that could not go out in a day is not sent). Then, oldest
// first, each open record is planned like an aggregate report's rua (destinations.h, with
// ReportUriKind::failure: an external ruf needs its _report._dmarc authorization record, a DNS
// failure defers it) and sent to every destination with no recorded outcome, unless a rate
// limit is reached: failure_reports.max_per_destination per address and max_per_hour in all,
// both over the last hour as the store records them (so they hold across runs). A report over
// a limit is recorded as rate-limited and dropped for good: it is counted, never sent later in a
// burst. psd=y policy domains never get one. A record is closed once no destination is left to
// try, so a re-run sends nothing twice; a failed delivery or a deferred destination keeps it
// open for the next run. Dry run: write each mail to out_dir, record nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dmarc/org_domain.h"
#include "dns/resolver.h"
#include "report/failure_options.h"
#include "report/record_store.h"
#include "report/report_options.h"
#include "report/report_sender.h"

namespace authmilter::report {

inline constexpr std::int64_t kFailureReportMaxAge = 86400;
inline constexpr std::int64_t kRateWindowSeconds = 3600;
inline constexpr std::size_t kFailuresPerRun = 10000;  // our bound; the rest waits for the next

struct FailureRunOptions {
  FailureReportOptions failure;
  ReportOptions report;  // delivery, org_name, submitter, email (the default From)
  std::int64_t now = 0;
  bool dry_run = false;
  std::string out_dir;  // dry run only
};

struct FailureRunSummary {
  std::vector<std::string> lines;  // one per record that went somewhere or failed, then a total
  int records = 0;                 // open records looked at
  int sent = 0;
  int rate_limited = 0;  // reports dropped at a rate limit
  int refused = 0;       // destinations refused (no authorization, not mailto, psd=y)
  int deferred = 0;      // records kept open: a destination's authorization check failed (DNS)
  int failed_deliveries = 0;
  std::int64_t expired = 0;
  int failures = 0;  // store or delivery failures (exit status)
};

FailureRunSummary run_failure_reports(RecordStore& store, ReportSender& sender,
                                      dmarc::OrgDomainFinder& finder, dns::Resolver& resolver,
                                      const FailureRunOptions& options);

}  // namespace authmilter::report
