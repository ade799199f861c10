// aggregate_report.h - the stored rows of one slot, split into reports per policy configuration.
//
// group_reports() is pure: rows (as RecordStore::rows() returns them, ordered by policy key and
// claim) become one AggregateReport per published policy and claim. The Report-ID is derived
// from the submitter, the policy domain, the interval, the policy key and the first row id. A
// claim's rows never change (record_store.h), so a report that is built again (a retried
// delivery, a run that died before marking) has the same rows and keeps its Report-ID
// (RFC 9990 §3.1.1.3: unique per report; a re-sent report is the same report). Rows committed
// after a claim are claimed apart: a report of their own, whose first row id, and so
// Report-ID, differs (claims are disjoint). It consists of digits and hex letters only, as the
// RFC 7489 §7.2.1.1 file-name grammar's unique-id (1*(ALPHA / DIGIT)) requires.
#pragma once

#include <string>
#include <vector>

#include "report/record_store.h"

namespace authmilter::report {

struct AggregateReport {
  std::string report_id;
  ReportSlot slot;
  std::string policy_key;
  std::int64_t claim = 0;  // for mark_reported(); 0 in a dry run's unclaimed rows
  PublishedPolicy policy;
  std::vector<RecordGroup> rows;
  std::int64_t first_id = 0;  // row ids covered; first_id makes the Report-ID
  std::int64_t last_id = 0;
  std::int64_t message_count() const;
};

std::vector<AggregateReport> group_reports(const std::string& submitter, const ReportSlot& slot,
                                           std::vector<RecordGroup> rows);

std::string report_id_for(const std::string& submitter, const ReportSlot& slot,
                          const std::string& policy_key, std::int64_t first_id);

}  // namespace authmilter::report
