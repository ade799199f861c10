// report_run.h - one run of authmilter-report: every closed slot -> reports -> destinations.
//
// For each pending slot (closed interval with unreported rows): claim the rows committed so far
// (record_store.h), then for each claim and policy configuration in it: build the XML, gzip it,
// plan destinations, and hand a message to the sender for every destination not yet recorded as
// delivered for this Report-ID. A claim's rows are marked reported only when no destination is
// left to try (all sent, refused, or over their !size limit), so a failed or deferred
// destination, or a run that died, is retried next run with the same rows and Report-ID, and a
// re-run sends nothing twice (a run killed between a hand-off and its record sends that one
// again, same Report-ID: at least once). Rows committed after the claim, even with lower ids,
// wait for the next run. Dry run: write <file-name>.xml.gz into out_dir, claim, send and mark
// nothing. Afterwards rows older than the retention are pruned (not in a dry run); rows that
// were never reported by then are counted in a warning line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dmarc/org_domain.h"
#include "dns/resolver.h"
#include "report/record_store.h"
#include "report/report_options.h"
#include "report/report_sender.h"

namespace authmilter::report {

struct RunOptions {
  ReportOptions report;
  SlotQuery query;  // interval, since/until, domain
  std::int64_t now = 0;
  std::int64_t retention_seconds = std::int64_t{30} * 86400;
  bool dry_run = false;
  std::string out_dir;  // dry run only
};

struct RunSummary {
  std::vector<std::string> lines;  // one per report, for stdout
  int reports = 0;                 // built
  int sent = 0;                    // deliveries, one per destination
  int deferred = 0;                // reports kept for the next run: a destination deferred (DNS)
  int failed_deliveries = 0;       // destinations whose delivery failed
  int failures = 0;                // store, build or delivery failures (exit status)
  std::int64_t rows_pending = 0;   // rows of closed intervals still unreported after this run
};

RunSummary run_reports(RecordStore& store, ReportSender& sender, dmarc::OrgDomainFinder& finder,
                       dns::Resolver& resolver, const RunOptions& options);

}  // namespace authmilter::report
