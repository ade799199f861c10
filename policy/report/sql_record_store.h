// sql_record_store.h - RecordStore over one SqlConnection (SQLite or PostgreSQL).
//
// Owns the connection and a GroupCommitter; the connection is used under one mutex by the
// writer thread (appends) and by the reporting calls. Construct through open_store().
#pragma once

#include <memory>
#include <mutex>

#include "report/group_commit.h"
#include "report/record_store.h"
#include "report/sql_connection.h"

namespace authmilter::report {

class SqlRecordStore final : public RecordStore {
 public:
  // The schema must already be migrated (open_store() does it).
  explicit SqlRecordStore(std::unique_ptr<SqlConnection> connection);

  Status append(const ReportRecord& record) override;
  Result<std::vector<ReportSlot>> pending_slots(const SlotQuery& query) override;
  Result<std::vector<ReportRow>> rows(const ReportSlot& slot) override;
  Status mark_reported(const ReportSlot& slot, const std::string& policy_key,
                       std::int64_t through_id) override;
  Result<bool> was_delivered(const std::string& report_id, const std::string& destination) override;
  Status record_delivery(const std::string& report_id, const std::string& destination,
                         std::int64_t when) override;
  Result<PruneCount> prune(std::int64_t before) override;

 private:
  Status commit_batch(const std::vector<const ReportRecord*>& records);

  std::mutex connection_mutex_;
  std::unique_ptr<SqlConnection> connection_;
  GroupCommitter committer_;  // last: its thread uses the members above
};

}  // namespace authmilter::report
