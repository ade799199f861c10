#include <stdlib.h>

#include <filesystem>

#include "recording_store.h"

namespace authmilter::daemon::testing {

Result<std::unique_ptr<RecordingStore>> RecordingStore::create(MilterCallLog& log) {
  char pattern[] = "/tmp/authmilter-milter-test-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return Error{"mkdtemp failed"};
  const std::string directory = pattern;
  report::StoreOptions options;
  options.url = "sqlite://" + directory + "/records.db";
  options.sqlite_synchronous_full = false;
  auto store = report::open_store(options);
  if (!store.ok()) {
    std::filesystem::remove_all(directory);
    return Error{store.error()};
  }
  return std::unique_ptr<RecordingStore>(new RecordingStore(log, directory, std::move(*store)));
}

RecordingStore::~RecordingStore() {
  store_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

Status RecordingStore::append(const report::ReportRecord& record) {
  log_.push_back("store.append " + record.queue_id + (fail_appends_ ? " (failed)" : ""));
  if (fail_appends_) return Error{"disk full (test)"};
  Status stored = store_->append(record);
  if (stored.ok()) committed_.push_back(record);
  return stored;
}

Result<std::vector<report::ReportSlot>> RecordingStore::pending_slots(
    const report::SlotQuery& query) {
  return store_->pending_slots(query);
}

Result<report::RunClaim> RecordingStore::claim(const report::SlotQuery& query) {
  return store_->claim(query);
}

Result<std::vector<report::RecordGroup>> RecordingStore::rows(const report::ReportSlot& slot,
                                                              report::RowScope scope) {
  return store_->rows(slot, scope);
}

Status RecordingStore::mark_reported(const report::ReportSlot& slot, const std::string& policy_key,
                                     std::int64_t claim) {
  return store_->mark_reported(slot, policy_key, claim);
}

Status RecordingStore::close_slot(const report::ReportSlot& slot, std::int64_t claim) {
  return store_->close_slot(slot, claim);
}

Result<bool> RecordingStore::was_delivered(const std::string& report_id,
                                           const std::string& destination) {
  return store_->was_delivered(report_id, destination);
}

Status RecordingStore::record_delivery(const std::string& report_id, const std::string& destination,
                                       std::int64_t when) {
  return store_->record_delivery(report_id, destination, when);
}

Result<report::PruneCount> RecordingStore::prune(std::int64_t before) {
  return store_->prune(before);
}

Result<std::int64_t> RecordingStore::expire_failures(std::int64_t before) {
  return store_->expire_failures(before);
}

Result<std::vector<report::StoredFailure>> RecordingStore::pending_failures(std::int64_t since,
                                                                            std::size_t limit) {
  return store_->pending_failures(since, limit);
}

Result<std::string> RecordingStore::failure_outcome(std::int64_t id,
                                                    const std::string& destination) {
  return store_->failure_outcome(id, destination);
}

Status RecordingStore::record_failure_outcome(std::int64_t id, const std::string& destination,
                                              const std::string& outcome, std::int64_t when) {
  return store_->record_failure_outcome(id, destination, outcome, when);
}

Result<std::int64_t> RecordingStore::failures_sent_since(const std::string& destination,
                                                         std::int64_t since) {
  return store_->failures_sent_since(destination, since);
}

Status RecordingStore::close_failure(std::int64_t id) {
  return store_->close_failure(id);
}

}  // namespace authmilter::daemon::testing
