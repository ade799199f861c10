// sql_record_store.cpp - the store's SQL; see sql_record_store.h.
#include "report/sql_record_store.h"

#include <algorithm>
#include <iterator>

#include "report/record_codec.h"
#include "report/report_ledger.h"
#include "report/row_grouper.h"

namespace authmilter::report {

namespace {

constexpr const char* kInsertHead =
    "INSERT INTO records (time, policy_domain, policy_key, source_ip, header_from, envelope_from,"
    " envelope_to, spf_domain, spf_scope, spf_result, dkim, p, sp, np, psd, testing, adkim, aspf,"
    " pct, fo, discovery, rua, disposition, dmarc_result, dkim_aligned, spf_aligned, overrides,"
    " queue_id, author_verdict, author_domains, dmarc_code, published_disposition,"
    " requested_disposition, list_headers, arc_result, arc_sealer, arc_sealers) VALUES ";
constexpr const char* kInsertTuple =
    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

constexpr const char* kFailureColumns =
    "id, time, policy_domain, psd, header_from, source_ip, queue_id, spf_domain, spf_result, ruf,"
    " fired, identity_alignment, mail_from, spf_record, dkim_domain, dkim_identity,"
    " dkim_selector, authentication_results, delivery_result, headers, headers_cut";

}  // namespace

std::string records_insert_sql(std::size_t rows) {
  std::string sql = kInsertHead;
  for (std::size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += ',';
    sql += kInsertTuple;
  }
  return sql;
}

std::vector<SqlValue> record_insert_values(const ReportRecord& r) {
  const auto& p = r.policy;
  // A record without decision facts stores empty texts: read back, they are "not recorded",
  // exactly like the NULLs of rows written before schema version 2.
  static const DecisionFacts kNoFacts{.author_verdict = "",
                                      .author_domains = {},
                                      .dmarc_code = "",
                                      .published = "",
                                      .requested = "",
                                      .list_headers = false,
                                      .arc_result = "",
                                      .arc_sealer = "",
                                      .arc_sealers = {}};
  const DecisionFacts& f = r.facts ? *r.facts : kNoFacts;
  return {r.time,
          p.domain,
          policy_key(p),
          r.source_ip,
          r.header_from,
          r.envelope_from,
          encode_domains(r.envelope_to),
          r.spf_domain,
          r.spf_scope,
          r.spf_result,
          encode_dkim(r.dkim),
          p.p,
          p.sp,
          p.np,
          p.psd,
          std::int64_t{p.testing ? 1 : 0},
          p.adkim,
          p.aspf,
          std::int64_t{p.pct},
          p.fo,
          p.discovery,
          p.rua,
          r.disposition,
          r.dmarc_result,
          r.dkim_aligned,
          r.spf_aligned,
          encode_overrides(r.overrides),
          r.queue_id,
          f.author_verdict,
          encode_domains(f.author_domains),
          f.dmarc_code,
          f.published,
          f.requested,
          std::int64_t{f.list_headers ? 1 : 0},
          f.arc_result,
          f.arc_sealer,
          encode_arc_sealers(f.arc_sealers)};
}

SqlRecordStore::SqlRecordStore(std::unique_ptr<SqlConnection> connection,
                               std::int64_t claim_lock_wait_ms)
    : claim_lock_wait_ms_(claim_lock_wait_ms),
      connection_(std::move(connection)),
      committer_([this](const std::vector<const ReportRecord*>& records) {
        return commit_batch(records);
      }) {}

Status SqlRecordStore::append(const ReportRecord& record) {
  ReportRecord clean = record;
  sanitize_record(clean);
  return committer_.submit(clean);
}

Status SqlRecordStore::commit_batch(const std::vector<const ReportRecord*>& records) {
  std::lock_guard lock(connection_mutex_);
  if (auto begun = connection_->execute("BEGIN", {}); !begun) return begun;
  for (std::size_t first = 0; first < records.size(); first += kRecordsPerInsert) {
    const std::size_t count = std::min(kRecordsPerInsert, records.size() - first);
    std::vector<SqlValue> values;
    for (std::size_t i = first; i < first + count; ++i) {
      auto row = record_insert_values(*records[i]);
      std::move(row.begin(), row.end(), std::back_inserter(values));
    }
    if (auto inserted = connection_->execute(records_insert_sql(count), values); !inserted) {
      (void)connection_->execute("ROLLBACK", {});
      return inserted;
    }
  }
  if (auto inserted = insert_failures(records); !inserted) {
    (void)connection_->execute("ROLLBACK", {});
    return inserted;
  }
  auto committed = connection_->execute("COMMIT", {});
  if (!committed) (void)connection_->execute("ROLLBACK", {});
  return committed;
}

// In the records' transaction: a failure record is committed with its row or not at all. One
// statement per record: failure records are rare next to rows.
Status SqlRecordStore::insert_failures(const std::vector<const ReportRecord*>& records) {
  for (const ReportRecord* record : records) {
    if (!record->failure) continue;
    const FailureRecord& f = *record->failure;
    Status inserted = connection_->execute(
        "INSERT INTO failures (time, policy_domain, psd, header_from, source_ip, queue_id,"
        " spf_domain, spf_result, ruf, fired, identity_alignment, mail_from, spf_record,"
        " dkim_domain, dkim_identity, dkim_selector, authentication_results, delivery_result,"
        " headers, headers_cut) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        {record->time,
         record->policy.domain,
         record->policy.psd,
         record->header_from,
         record->source_ip,
         record->queue_id,
         record->spf_domain,
         record->spf_result,
         f.ruf,
         f.fired,
         f.identity_alignment,
         f.mail_from,
         f.spf_record,
         f.dkim_domain,
         f.dkim_identity,
         f.dkim_selector,
         f.authentication_results,
         f.delivery_result,
         f.headers,
         std::int64_t{f.headers_cut ? 1 : 0}});
    if (!inserted) return inserted;
  }
  return Ok{};
}

Result<std::vector<ReportSlot>> SqlRecordStore::pending_slots(const SlotQuery& query) {
  std::lock_guard lock(connection_mutex_);
  return ledger::pending_slots(*connection_, query);
}

Result<RunClaim> SqlRecordStore::claim(const SlotQuery& query) {
  std::lock_guard lock(connection_mutex_);
  return ledger::claim(*connection_, query, claim_lock_wait_ms_);
}

Result<std::vector<RecordGroup>> SqlRecordStore::rows(const ReportSlot& slot, RowScope scope) {
  // Streamed and counted in memory (row_grouper.h says why); the groups of reports already
  // marked are left out.
  RowGrouper grouper;
  std::lock_guard lock(connection_mutex_);
  auto marked = ledger::read_rows(*connection_, slot, scope,
                                  [&grouper](const SqlRowView& row) { return grouper.add(row); });
  if (!marked) return Error{marked.error()};
  auto groups = grouper.take();
  std::erase_if(groups, [&marked](const RecordGroup& group) {
    return std::find(marked->begin(), marked->end(),
                     ledger::MarkedGroup{group.claim, group.policy_key}) != marked->end();
  });
  return groups;
}

Status SqlRecordStore::mark_reported(const ReportSlot& slot, const std::string& key,
                                     std::int64_t claim) {
  std::lock_guard lock(connection_mutex_);
  return ledger::mark(*connection_, slot, key, claim);
}

Status SqlRecordStore::close_slot(const ReportSlot& slot, std::int64_t claim) {
  std::lock_guard lock(connection_mutex_);
  return ledger::close(*connection_, slot, claim);
}

Result<bool> SqlRecordStore::was_delivered(const std::string& report_id,
                                           const std::string& destination) {
  std::lock_guard lock(connection_mutex_);
  auto found = connection_->query(
      "SELECT 1 FROM deliveries WHERE report_id = ? AND destination = ?", {report_id, destination});
  if (!found) return Error{found.error()};
  return !found->empty();
}

Status SqlRecordStore::record_delivery(const std::string& report_id, const std::string& destination,
                                       std::int64_t when) {
  std::lock_guard lock(connection_mutex_);
  auto found = connection_->query(
      "SELECT 1 FROM deliveries WHERE report_id = ? AND destination = ?", {report_id, destination});
  if (!found) return Error{found.error()};
  if (!found->empty()) return Ok{};
  return connection_->execute(
      "INSERT INTO deliveries (report_id, destination, sent_at) VALUES (?, ?, ?)",
      {report_id, destination, when});
}

Result<PruneCount> SqlRecordStore::prune(std::int64_t before) {
  std::lock_guard lock(connection_mutex_);
  auto counted = ledger::count_before(*connection_, before);
  if (!counted) return counted;
  if (auto gone = connection_->execute("DELETE FROM records WHERE time < ?", {before}); !gone)
    return Error{gone.error()};
  if (auto gone = connection_->execute("DELETE FROM deliveries WHERE sent_at < ?", {before}); !gone)
    return Error{gone.error()};
  if (auto gone = connection_->execute("DELETE FROM failures WHERE time < ?", {before}); !gone)
    return Error{gone.error()};
  if (auto gone = connection_->execute("DELETE FROM failure_deliveries WHERE at < ?", {before});
      !gone)
    return Error{gone.error()};
  if (auto gone = ledger::forget_before(*connection_, before); !gone) return Error{gone.error()};
  return counted;
}

Result<std::int64_t> SqlRecordStore::expire_failures(std::int64_t before) {
  std::lock_guard lock(connection_mutex_);
  auto counted =
      connection_->query("SELECT COUNT(*) FROM failures WHERE state = 0 AND time < ?", {before});
  if (!counted) return Error{counted.error()};
  const std::int64_t count = counted->empty() ? 0 : integer_text(counted->front().front());
  if (count == 0) return count;
  if (auto closed = connection_->execute(
          "UPDATE failures SET state = 2 WHERE state = 0 AND time < ?", {before});
      !closed)
    return Error{closed.error()};
  return count;
}

Result<std::vector<StoredFailure>> SqlRecordStore::pending_failures(std::int64_t since,
                                                                    std::size_t limit) {
  std::lock_guard lock(connection_mutex_);
  auto found = connection_->query(std::string("SELECT ") + kFailureColumns +
                                      " FROM failures WHERE state = 0 AND time >= ?"
                                      " ORDER BY id LIMIT ?",
                                  {since, static_cast<std::int64_t>(limit)});
  if (!found) return Error{found.error()};
  std::vector<StoredFailure> failures;
  for (const auto& row : *found) {
    if (row.size() != 21) return Error{"store: unexpected column count"};
    StoredFailure stored{.id = integer_text(row[0]),
                         .time = integer_text(row[1]),
                         .policy_domain = row[2],
                         .psd = row[3],
                         .header_from = row[4],
                         .source_ip = row[5],
                         .queue_id = row[6],
                         .spf_domain = row[7],
                         .spf_result = row[8],
                         .failure = {}};
    FailureRecord& f = stored.failure;
    f.ruf = row[9];
    f.fired = row[10];
    f.identity_alignment = row[11];
    f.mail_from = row[12];
    f.spf_record = row[13];
    f.dkim_domain = row[14];
    f.dkim_identity = row[15];
    f.dkim_selector = row[16];
    f.authentication_results = row[17];
    f.delivery_result = row[18];
    f.headers = row[19];
    f.headers_cut = integer_text(row[20]) != 0;
    failures.push_back(std::move(stored));
  }
  return failures;
}

Result<std::string> SqlRecordStore::failure_outcome(std::int64_t id,
                                                    const std::string& destination) {
  std::lock_guard lock(connection_mutex_);
  auto found = connection_->query(
      "SELECT outcome FROM failure_deliveries WHERE failure_id = ? AND"
      " destination = ?",
      {id, destination});
  if (!found) return Error{found.error()};
  return found->empty() ? std::string() : found->front().front();
}

Status SqlRecordStore::record_failure_outcome(std::int64_t id, const std::string& destination,
                                              const std::string& outcome, std::int64_t when) {
  std::lock_guard lock(connection_mutex_);
  return connection_->execute(
      "INSERT INTO failure_deliveries (failure_id, destination, outcome, at) VALUES (?, ?, ?, ?)",
      {id, destination, outcome, when});
}

Result<std::int64_t> SqlRecordStore::failures_sent_since(const std::string& destination,
                                                         std::int64_t since) {
  const std::string sql =
      std::string("SELECT COUNT(*) FROM failure_deliveries WHERE outcome = ? AND at >= ?") +
      (destination.empty() ? " AND '' = ?" : " AND destination = ?");
  std::lock_guard lock(connection_mutex_);
  auto counted = connection_->query(sql, {std::string(kFailureSent), since, destination});
  if (!counted) return Error{counted.error()};
  return counted->empty() ? 0 : integer_text(counted->front().front());
}

Status SqlRecordStore::close_failure(std::int64_t id) {
  std::lock_guard lock(connection_mutex_);
  return connection_->execute("UPDATE failures SET state = 1 WHERE id = ?", {id});
}

}  // namespace authmilter::report
