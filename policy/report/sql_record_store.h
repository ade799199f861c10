// sql_record_store.h - RecordStore over one SqlConnection (SQLite or PostgreSQL).
//
// Owns the connection and a GroupCommitter; the connection is used under one mutex by the
// committing thread (appends) and by the reporting calls. Construct through open_store().
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "report/group_commit.h"
#include "report/record_store.h"
#include "report/sql_connection.h"

namespace authmilter::report {

// How the store writes records: a multi-row INSERT of `rows` tuples, and one record's values in
// its column order. Rows per statement: one round trip per 64 rows to PostgreSQL; 64 x 37
// parameters stay far below SQLite's (32766) and libpq's (65535) limits. Public so that
// report_bench's bulk fill writes exactly what the store writes.
inline constexpr std::size_t kRecordsPerInsert = 64;
std::string records_insert_sql(std::size_t rows);
std::vector<SqlValue> record_insert_values(const ReportRecord& record);

class SqlRecordStore final : public RecordStore {
 public:
  // The schema must already be migrated (open_store() does it).
  SqlRecordStore(std::unique_ptr<SqlConnection> connection, std::int64_t claim_lock_wait_ms);

  Status append(const ReportRecord& record) override;
  Result<std::vector<ReportSlot>> pending_slots(const SlotQuery& query) override;
  Result<RunClaim> claim(const SlotQuery& query) override;
  Result<std::vector<RecordGroup>> rows(const ReportSlot& slot, RowScope scope) override;
  Status mark_reported(const ReportSlot& slot, const std::string& policy_key,
                       std::int64_t claim) override;
  Status close_slot(const ReportSlot& slot, std::int64_t claim) override;
  Result<bool> was_delivered(const std::string& report_id, const std::string& destination) override;
  Status record_delivery(const std::string& report_id, const std::string& destination,
                         std::int64_t when) override;
  Result<PruneCount> prune(std::int64_t before) override;
  Result<std::int64_t> expire_failures(std::int64_t before) override;
  Result<std::vector<StoredFailure>> pending_failures(std::int64_t since,
                                                      std::size_t limit) override;
  Result<std::string> failure_outcome(std::int64_t id, const std::string& destination) override;
  Status record_failure_outcome(std::int64_t id, const std::string& destination,
                                const std::string& outcome, std::int64_t when) override;
  Result<std::int64_t> failures_sent_since(const std::string& destination,
                                           std::int64_t since) override;
  Status close_failure(std::int64_t id) override;

 private:
  Status commit_batch(const std::vector<const ReportRecord*>& records);
  Status insert_failures(const std::vector<const ReportRecord*>& records);

  std::int64_t claim_lock_wait_ms_;
  std::mutex connection_mutex_;
  std::unique_ptr<SqlConnection> connection_;
  GroupCommitter committer_;  // last: its commits use the members above
};

}  // namespace authmilter::report
