// record_store.h - the durable store of evaluated messages, and what reporting reads from it.
//
// Call order: open_store() once (creates or migrates the schema); the daemon calls append() per
// message from any thread; authmilter-report calls claim() (or, for a dry run, pending_slots()),
// rows(), was_delivered(), record_delivery(), mark_reported(), close_slot() and prune(), and for
// failure reports
// (failure_run.h) expire_failures(), pending_failures(), failure_outcome(),
// failures_sent_since(), record_failure_outcome() and close_failure(). All methods are
// thread-safe.
// Reporting claims before it reads: claim() takes the rows committed so far in every closed
// slot, rows() reads claimed rows, mark_reported() and close_slot() record what went out, and a
// row that commits after the claim waits for the next run. A claim is a range of row ids per
// slot (report_ledger.h says why that is exact even with several writers on one PostgreSQL, whose
// ids do not follow commit order); no row is written to claim or mark it. A claim outlives a
// crashed run: the next run reads the same rows again (same Report-ID, aggregate_report.h), and
// claims new rows apart.
// A record's FailureRecord (report_record.h) is written by the same append(), in the same
// transaction as its row: both are committed, or neither.
// append() returns only after the record is committed (durable); concurrent appends are
// batched into one transaction (group commit), so one commit covers many messages.
// Failures are Status/Result errors (the daemon then tempfails or continues, per
// StoreOptions::on_failure); a store never reports success for a row it did not commit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "report/report_record.h"

namespace authmilter::report {

enum class StoreFailureAction { tempfail, continue_unrecorded };

struct StoreOptions {
  std::string url = "sqlite:///var/lib/authmilter/records.db";
  bool sqlite_synchronous_full = true;  // see sqlite_connection.cpp
  StoreFailureAction on_failure = StoreFailureAction::tempfail;
  std::int64_t retention_seconds = std::int64_t{30} * 86400;  // rows older than this are pruned
  // PostgreSQL: how long a claim may wait for the daemons' open transactions (report_ledger.h).
  std::int64_t claim_lock_wait_ms = 60'000;
};

// One report's worth of rows: a policy domain and a UTC interval [begin, end).
struct ReportSlot {
  std::string policy_domain;
  std::int64_t begin = 0;
  std::int64_t end = 0;
  friend bool operator==(const ReportSlot&, const ReportSlot&) = default;
};

struct PruneCount {
  std::int64_t reported = 0;    // rows reported, past the retention
  std::int64_t unreported = 0;  // rows never reported, abandoned at the retention
};

struct SlotQuery {
  std::int64_t interval_seconds = 86400;  // RFC 9990 §2: reports cover one UTC day by default
  std::int64_t until = 0;                 // only intervals that ended by then
  std::int64_t since = 0;                 // only intervals that begin at or after this
  std::string domain;                     // only this policy domain ("" = all)
};

// Identical messages of one slot, counted: the reportable fields of the record (time and queue
// id are empty) and how many messages had them.
struct RecordGroup {
  std::string policy_key;  // record_codec.h policy_key(record.policy)
  std::int64_t claim = 0;  // the rows' claim; 0: not claimed yet (RowScope::unreported only)
  ReportRecord record;
  std::int64_t count = 0;
  std::int64_t first_id = 0;  // smallest and largest row id counted
  std::int64_t last_id = 0;
};

// What claim() took: its number (claims only grow) and the slots holding open claims, its own
// and those earlier runs left open.
struct RunClaim {
  std::int64_t claim = 0;
  std::vector<ReportSlot> slots;
};

// Which unreported rows rows() reads.
enum class RowScope {
  claimed,     // claimed and not yet marked reported: what a report run reports
  unreported,  // the unclaimed ones too (claim 0): what a dry run shows, claiming nothing
};

// A failure record as the report program reads it back: its own fields and its row's.
struct StoredFailure {
  std::int64_t id = 0;  // grows with each commit
  std::int64_t time = 0;
  std::string policy_domain;
  std::string psd;  // y n u: psd=y policy domains never get failure reports
  std::string header_from;
  std::string source_ip;
  std::string queue_id;
  std::string spf_domain;
  std::string spf_result;
  FailureRecord failure;
};

// What became of one failure report for one destination; kept so that nothing is sent twice
// and so that the hourly rate limits count what was sent.
inline constexpr const char* kFailureSent = "sent";
inline constexpr const char* kFailureRateLimited = "rate-limited";  // dropped, never sent later

class RecordStore {
 public:
  virtual ~RecordStore() = default;
  virtual Status append(const ReportRecord& record) = 0;
  // pending_slots - what a run would report now (a dry run's view, claiming nothing): slots with
  // open claims or with rows not claimed yet.
  virtual Result<std::vector<ReportSlot>> pending_slots(const SlotQuery& query) = 0;
  // claim - one new claim, in one transaction, over the rows committed so far in every closed
  // slot the query selects that no claim holds yet: rows committed later wait for the next run.
  virtual Result<RunClaim> claim(const SlotQuery& query) = 0;
  // rows - the slot's unreported rows in `scope`, grouped; ordered by policy key, then claim,
  // then the other columns counted over (bytewise). Streamed: memory grows with the distinct
  // tuples, not the rows.
  virtual Result<std::vector<RecordGroup>> rows(const ReportSlot& slot, RowScope scope) = 0;
  // mark_reported - the rows of that claim and policy in the slot: exactly what rows() counted
  // for them, whatever committed meanwhile.
  virtual Status mark_reported(const ReportSlot& slot, const std::string& policy_key,
                               std::int64_t claim) = 0;
  // close_slot - every report of the slot's claims up to `claim` went out: they are done, and
  // the slot is no longer pending unless newer rows wait in it.
  virtual Status close_slot(const ReportSlot& slot, std::int64_t claim) = 0;
  virtual Result<bool> was_delivered(const std::string& report_id,
                                     const std::string& destination) = 0;
  virtual Status record_delivery(const std::string& report_id, const std::string& destination,
                                 std::int64_t when) = 0;
  // prune - delete rows (and delivery marks) older than `before`. Rows never reported by then
  // (a destination that kept failing or deferring) go too, or they would pile up and be rebuilt
  // on every run; they are counted apart so that the run can say so.
  virtual Result<PruneCount> prune(std::int64_t before) = 0;

  // Failure reports. expire_failures - close the records still open from before `before` (a
  // failure report is worth sending only soon after the message); returns how many.
  virtual Result<std::int64_t> expire_failures(std::int64_t before) = 0;
  // pending_failures - open records from `since` on, oldest first, at most `limit`.
  virtual Result<std::vector<StoredFailure>> pending_failures(std::int64_t since,
                                                              std::size_t limit) = 0;
  // failure_outcome - kFailureSent, kFailureRateLimited, or "" when nothing was recorded yet.
  virtual Result<std::string> failure_outcome(std::int64_t id, const std::string& destination) = 0;
  virtual Status record_failure_outcome(std::int64_t id, const std::string& destination,
                                        const std::string& outcome, std::int64_t when) = 0;
  // failures_sent_since - reports sent from `since` on to `destination` ("" = to anyone).
  virtual Result<std::int64_t> failures_sent_since(const std::string& destination,
                                                   std::int64_t since) = 0;
  // close_failure - nothing is left to do for the record: it is never read as pending again.
  virtual Status close_failure(std::int64_t id) = 0;
};

// open_store - "sqlite:///absolute/path" or "postgresql://..." / "postgres://...".
Result<std::unique_ptr<RecordStore>> open_store(const StoreOptions& options);

}  // namespace authmilter::report
