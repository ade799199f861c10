// recording_store.h - a RecordStore for the stage tests: a real SQLite store in a temporary
// directory, whose append() is also logged (milter_call_log.h) in call order with the edits.
//
// fail_appends(true) makes append() fail without writing, as a full disk or a lost database
// would. The directory is removed with the store.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "milter_call_log.h"
#include "report/record_store.h"

namespace authmilter::daemon::testing {

class RecordingStore final : public report::RecordStore {
 public:
  // A fresh store; an error names why it could not be opened.
  static Result<std::unique_ptr<RecordingStore>> create(MilterCallLog& log);
  ~RecordingStore() override;

  void fail_appends(bool fail) { fail_appends_ = fail; }
  // The rows committed so far, in order of append.
  const std::vector<report::ReportRecord>& committed() const { return committed_; }

  Status append(const report::ReportRecord& record) override;
  Result<std::vector<report::ReportSlot>> pending_slots(const report::SlotQuery& query) override;
  Result<report::RunClaim> claim(const report::SlotQuery& query) override;
  Result<std::vector<report::RecordGroup>> rows(const report::ReportSlot& slot,
                                                report::RowScope scope) override;
  Status mark_reported(const report::ReportSlot& slot, const std::string& policy_key,
                       std::int64_t claim) override;
  Status close_slot(const report::ReportSlot& slot, std::int64_t claim) override;
  Result<bool> was_delivered(const std::string& report_id, const std::string& destination) override;
  Status record_delivery(const std::string& report_id, const std::string& destination,
                         std::int64_t when) override;
  Result<report::PruneCount> prune(std::int64_t before) override;
  Result<std::int64_t> expire_failures(std::int64_t before) override;
  Result<std::vector<report::StoredFailure>> pending_failures(std::int64_t since,
                                                              std::size_t limit) override;
  Result<std::string> failure_outcome(std::int64_t id, const std::string& destination) override;
  Status record_failure_outcome(std::int64_t id, const std::string& destination,
                                const std::string& outcome, std::int64_t when) override;
  Result<std::int64_t> failures_sent_since(const std::string& destination,
                                           std::int64_t since) override;
  Status close_failure(std::int64_t id) override;

 private:
  RecordingStore(MilterCallLog& log, std::string directory,
                 std::unique_ptr<report::RecordStore> store)
      : log_(log), directory_(std::move(directory)), store_(std::move(store)) {}

  MilterCallLog& log_;
  std::string directory_;
  std::unique_ptr<report::RecordStore> store_;
  std::vector<report::ReportRecord> committed_;
  bool fail_appends_ = false;
};

}  // namespace authmilter::daemon::testing
