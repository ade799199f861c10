// history_reader.h - the store's recorded messages in a time window, read-only.
//
// For authmilter-check --history: open_history() opens the store named by a store URL without
// any write (SQLite through a mode=ro URI; PostgreSQL with default_transaction_read_only on, so
// a statement that writes would fail) and without migrating it: a store still at schema version
// 1 is read with every row's decision facts absent. for_each_record() streams the rows with
// window.since <= time < window.until in time order, one ReportRecord at a time (the same object
// refilled: copy what you keep). Only the columns a replay needs are read: time, source_ip,
// header_from, spf_domain, spf_result, dkim, policy (domain, p, sp, np, pct, testing),
// disposition, dmarc_result, overrides, queue_id and the DecisionFacts columns.
// Errors (cannot open, not an authmilter store, a newer schema, a failing query) are Status
// errors that say which; a row with odd values is handed over as it is, for the caller to judge.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "report/report_record.h"
#include "report/sql_connection.h"

namespace authmilter::report {

struct HistoryWindow {
  std::int64_t since = 0;
  std::int64_t until = 0;  // exclusive
};

using RecordVisitor = std::function<Status(const ReportRecord&)>;

class HistoryReader {
 public:
  HistoryReader(std::unique_ptr<SqlConnection> connection, int schema_version);
  int schema_version() const { return schema_version_; }
  Status for_each_record(const HistoryWindow& window, const RecordVisitor& visit);

 private:
  std::unique_ptr<SqlConnection> connection_;
  int schema_version_;
};

Result<std::unique_ptr<HistoryReader>> open_history(const std::string& store_url);

}  // namespace authmilter::report
