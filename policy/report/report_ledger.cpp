// report_ledger.cpp - claims as id ranges; see report_ledger.h.
#include "report/report_ledger.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>
#include <utility>

#include "report/row_grouper.h"

namespace authmilter::report::ledger {

namespace {

Result<std::int64_t> single_integer(SqlConnection& connection, std::string_view sql,
                                    const std::vector<SqlValue>& params) {
  auto found = connection.query(sql, params);
  if (!found) return Error{found.error()};
  if (found->size() != 1 || found->front().empty())
    return Error{"store: " + std::string(sql.substr(0, 40)) + ": expected one value"};
  return integer_text(found->front().front());
}

// Only whole intervals that have ended: a report never covers a day still receiving mail.
std::int64_t closed_until(const SlotQuery& query) {
  return query.until - (query.until % query.interval_seconds);
}

bool unfiltered(const SlotQuery& query) {
  return query.domain.empty() && query.since <= 0;
}

// Slots that begin at or after `since` (SlotQuery): rows from the first such slot on.
std::int64_t first_slot_begin(const SlotQuery& query) {
  if (query.since <= 0) return 0;
  const std::int64_t into = query.since % query.interval_seconds;
  return into == 0 ? query.since : query.since - into + query.interval_seconds;
}

using SlotKey = std::pair<std::string, std::int64_t>;  // policy domain, slot begin
using Candidates = std::map<SlotKey, std::int64_t>;    // -> the largest id found in the slot

// The domain filter as SQL text, so that a --domain run can use the index on policy_domain.
std::string domain_filter(const SlotQuery& query) {
  return query.domain.empty() ? " AND '' = ?" : " AND policy_domain = ?";
}

Status add_candidates(SqlConnection& connection, const std::string& head, const SlotQuery& query,
                      std::int64_t since, std::int64_t bound, Candidates& out,
                      std::vector<SqlValue> params) {
  const std::string sql = "SELECT policy_domain, time - (time % ?), MAX(id) FROM records " + head +
                          " AND time >= ? AND time < ? AND id <= ?" + domain_filter(query) +
                          " GROUP BY 1, 2";
  params.insert(params.begin(), SqlValue{query.interval_seconds});
  for (SqlValue value :
       {SqlValue{since}, SqlValue{closed_until(query)}, SqlValue{bound}, SqlValue{query.domain}})
    params.push_back(std::move(value));
  auto found = connection.query(sql, params);
  if (!found) return Error{found.error()};
  for (const auto& row : *found) {
    if (row.size() != 3) return Error{"store: unexpected column count"};
    auto& max_id = out[{row[0], integer_text(row[1])}];
    max_id = std::max(max_id, integer_text(row[2]));
  }
  return Ok{};
}

// Rows with id in (after, bound], whatever their time (SQLite: by the rowid range).
Status add_candidates_after(SqlConnection& connection, const SlotQuery& query, std::int64_t after,
                            std::int64_t bound, Candidates& out) {
  const bool sqlite = connection.dialect() == SqlDialect::sqlite;
  return add_candidates(connection,
                        std::string(sqlite ? "NOT INDEXED " : "") + "WHERE id > ? AND reported = 0",
                        query, first_slot_begin(query), bound, out, {after});
}

// The slots with unreported rows up to `bound`, before watermarks are applied. Reads only the
// rows after report_scan's mark (report_ledger.h), unless there is none yet.
Result<Candidates> discover(SqlConnection& connection, const SlotQuery& query, std::int64_t bound) {
  auto scan = connection.query("SELECT scanned_id, scanned_until FROM report_scan", {});
  if (!scan) return Error{scan.error()};
  if (scan->size() != 1 || scan->front().size() != 2) return Error{"store: report_scan has no row"};
  const std::int64_t scanned_id = integer_text(scan->front()[0]);
  const std::int64_t scanned_until = integer_text(scan->front()[1]);
  const std::int64_t since = first_slot_begin(query);
  Candidates found;
  Status read = Ok{};
  if (scanned_id == 0 && scanned_until == 0) {
    // The first claim of the store: every unreported row, through records_pending alone.
    read = add_candidates(connection, "WHERE reported = 0", query, since, bound, found, {});
  } else {
    // Rows committed since the mark, by id...
    read = add_candidates_after(connection, query, scanned_id, bound, found);
    // ...and those of intervals still open when the mark was set, by time.
    const bool sqlite = connection.dialect() == SqlDialect::sqlite;
    if (read)
      read = add_candidates(
          connection, std::string(sqlite ? "INDEXED BY records_time " : "") + "WHERE reported = 0",
          query, std::max(since, scanned_until), bound, found, {});
  }
  if (!read) return Error{read.error()};
  return found;
}

// A slot's watermark: the highest id its own claims took (report_ledger.h).
Result<std::int64_t> watermark(SqlConnection& connection, const ReportSlot& slot) {
  return single_integer(connection,
                        "SELECT COALESCE(MAX(id_high), 0) FROM report_ledger WHERE"
                        " policy_domain = ? AND slot_begin = ? AND slot_end = ?",
                        {slot.policy_domain, slot.begin, slot.end});
}

struct NewClaim {
  ReportSlot slot;
  std::int64_t id_low = 0;  // the slot's watermark
};

// The candidates that hold rows beyond their watermark.
Result<std::vector<NewClaim>> beyond_watermarks(SqlConnection& connection, const SlotQuery& query,
                                                const Candidates& candidates) {
  std::vector<NewClaim> claims;
  for (const auto& [key, max_id] : candidates) {
    const ReportSlot slot{key.first, key.second, key.second + query.interval_seconds};
    auto low = watermark(connection, slot);
    if (!low) return Error{low.error()};
    if (max_id > *low) claims.push_back({slot, *low});
  }
  return claims;
}

Result<std::vector<ReportSlot>> open_slots(SqlConnection& connection, const SlotQuery& query) {
  auto found = connection.query(
      "SELECT DISTINCT policy_domain, slot_begin, slot_end FROM report_ledger WHERE done = 0"
      " AND slot_begin >= ? AND slot_end <= ?" +
          domain_filter(query),
      {first_slot_begin(query), closed_until(query), query.domain});
  if (!found) return Error{found.error()};
  std::vector<ReportSlot> slots;
  for (const auto& row : *found) {
    if (row.size() != 3) return Error{"store: unexpected column count"};
    slots.push_back({row[0], integer_text(row[1]), integer_text(row[2])});
  }
  return slots;
}

void sort_unique(std::vector<ReportSlot>& slots) {
  std::sort(slots.begin(), slots.end(), [](const ReportSlot& a, const ReportSlot& b) {
    return std::tie(a.policy_domain, a.begin, a.end) < std::tie(b.policy_domain, b.begin, b.end);
  });
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
}

Result<std::int64_t> max_id(SqlConnection& connection) {
  return single_integer(connection, "SELECT COALESCE(MAX(id), 0) FROM records", {});
}

constexpr const char* kInserters =
    " FROM pg_locks WHERE locktype = 'relation' AND relation = 'records'::regclass"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND mode = 'RowExclusiveLock' AND granted AND pid IS DISTINCT FROM pg_backend_pid()";

// PostgreSQL's bound: MAX(id) once every transaction that may still hold a smaller id has ended
// (report_ledger.h). An INSERT takes ROW EXCLUSIVE on `records` before it draws its id, so a
// transaction holding an id below the bound already holds that lock when it is listed here,
// after the bound was read; new inserters are neither listed nor held back.
Result<std::int64_t> settled_postgres_bound(SqlConnection& connection, std::int64_t wait_ms) {
  auto bound = max_id(connection);
  if (!bound) return bound;
  auto holders = connection.query(std::string("SELECT virtualtransaction") + kInserters, {});
  if (!holders) return Error{holders.error()};
  if (holders->empty()) return bound;
  std::string listed = "{";
  for (const auto& row : *holders) listed += (listed.size() > 1 ? "," : "") + row.at(0);
  listed += "}";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    auto open = single_integer(connection,
                               std::string("SELECT COUNT(*)") + kInserters +
                                   " AND virtualtransaction = ANY (CAST(? AS text[]))",
                               {listed});
    if (!open) return open;
    if (*open == 0) return bound;
    if (std::chrono::steady_clock::now() >= deadline)
      return Error{"store: the claim waited " + std::to_string(wait_ms) + " ms for " +
                   std::to_string(*open) +
                   " open transaction(s) inserting into records; the next run retries"};
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<std::int64_t> insert_claims(SqlConnection& connection, const SlotQuery& query,
                                   const Candidates& candidates, std::int64_t bound) {
  auto number = single_integer(
      connection, "UPDATE report_claims SET last_claim = last_claim + 1 RETURNING last_claim", {});
  if (!number) return number;
  auto claims = beyond_watermarks(connection, query, candidates);
  if (!claims) return Error{claims.error()};
  for (const auto& claim : *claims) {
    Status inserted = connection.execute(
        "INSERT INTO report_ledger (policy_domain, slot_begin, slot_end, claim, id_low, id_high,"
        " done) VALUES (?, ?, ?, ?, ?, ?, 0)",
        {claim.slot.policy_domain, claim.slot.begin, claim.slot.end, *number, claim.id_low, bound});
    if (!inserted) return Error{inserted.error()};
  }
  if (!unfiltered(query)) return number;
  // Every row up to the bound in a closed interval is in a range now: later discovery can start
  // after it. Never moved back (a run with an earlier --until, an emptied table).
  Status moved = connection.execute(
      "UPDATE report_scan SET scanned_id = ?, scanned_until = ?"
      " WHERE scanned_id <= ? AND scanned_until <= ?",
      {bound, closed_until(query), bound, closed_until(query)});
  if (!moved) return Error{moved.error()};
  return number;
}

}  // namespace

// Discovery, the long read, runs before the claim's transaction, so that SQLite's write lock is
// held only for the rows appended meanwhile and the few ledger rows (appends wait on it).
Result<RunClaim> claim(SqlConnection& connection, const SlotQuery& query,
                       std::int64_t lock_wait_ms) {
  if (query.interval_seconds <= 0) return Error{"store: the report interval must be positive"};
  const bool sqlite = connection.dialect() == SqlDialect::sqlite;
  // SQLite allocates ids under its one write lock: MAX(id) outside a write is a settled bound.
  auto read_bound = sqlite ? max_id(connection) : settled_postgres_bound(connection, lock_wait_ms);
  if (!read_bound) return Error{read_bound.error()};
  auto candidates = discover(connection, query, *read_bound);
  if (!candidates) return Error{candidates.error()};
  // SQLite: BEGIN IMMEDIATE; rows appended since the read are added under the lock. PostgreSQL:
  // a plain transaction; the report_claims row lock taken first orders concurrent runs, and
  // watermarks are read after it.
  if (auto begun = sqlite ? connection.begin_exclusive() : connection.execute("BEGIN", {}); !begun)
    return Error{begun.error()};
  Result<std::int64_t> bound = *read_bound;
  if (sqlite) {
    bound = max_id(connection);
    if (bound && *bound > *read_bound) {
      if (auto added = add_candidates_after(connection, query, *read_bound, *bound, *candidates);
          !added)
        bound = Error{added.error()};
    }
  }
  Result<std::int64_t> number =
      bound ? insert_claims(connection, query, *candidates, *bound) : bound;
  Result<std::vector<ReportSlot>> slots =
      number ? open_slots(connection, query)
             : Result<std::vector<ReportSlot>>(Error{number.error()});
  if (slots) {
    if (auto committed = connection.execute("COMMIT", {}); !committed)
      slots = Error{committed.error()};
  }
  if (!slots) {
    (void)connection.execute("ROLLBACK", {});
    return Error{slots.error()};
  }
  sort_unique(*slots);
  return RunClaim{.claim = *number, .slots = std::move(*slots)};
}

Result<std::vector<ReportSlot>> pending_slots(SqlConnection& connection, const SlotQuery& query) {
  if (query.interval_seconds <= 0) return Error{"store: the report interval must be positive"};
  auto slots = open_slots(connection, query);
  if (!slots) return slots;
  auto bound = max_id(connection);
  if (!bound) return Error{bound.error()};
  auto candidates = discover(connection, query, *bound);
  if (!candidates) return Error{candidates.error()};
  auto claims = beyond_watermarks(connection, query, *candidates);
  if (!claims) return Error{claims.error()};
  for (const auto& claim : *claims) slots->push_back(claim.slot);
  sort_unique(*slots);
  return slots;
}

namespace {

struct LedgerEntry {
  std::int64_t claim = 0;
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t id_low = 0;
  std::int64_t id_high = 0;
  bool done = false;
  bool own = false;  // the slot's own entry, not one of a slot of another length
};

// The entries whose slot overlaps this one in time (its own and, after a change of the report
// interval, those of other lengths), by claim.
Result<std::vector<LedgerEntry>> overlapping_entries(SqlConnection& connection,
                                                     const ReportSlot& slot) {
  auto found = connection.query(
      "SELECT claim, slot_begin, slot_end, id_low, id_high, done FROM report_ledger"
      " WHERE policy_domain = ? AND slot_begin < ? AND slot_end > ? ORDER BY claim",
      {slot.policy_domain, slot.end, slot.begin});
  if (!found) return Error{found.error()};
  std::vector<LedgerEntry> entries;
  for (const auto& row : *found) {
    if (row.size() != 6) return Error{"store: unexpected column count"};
    LedgerEntry entry{.claim = integer_text(row[0]),
                      .begin = integer_text(row[1]),
                      .end = integer_text(row[2]),
                      .id_low = integer_text(row[3]),
                      .id_high = integer_text(row[4]),
                      .done = integer_text(row[5]) != 0};
    entry.own = entry.begin == slot.begin && entry.end == slot.end;
    entries.push_back(entry);
  }
  return entries;
}

}  // namespace

// A row belongs to the claim with the lowest number whose range covers it: its slot's own, or,
// after a change of the report interval, a slot of another length that overlaps it. Without such
// a change only the slot's own entries exist and the CASE is one test per open claim.
Result<std::vector<MarkedGroup>> read_rows(SqlConnection& connection, const ReportSlot& slot,
                                           RowScope scope, const SqlRowVisitor& visit) {
  auto entries = overlapping_entries(connection, slot);
  if (!entries) return Error{entries.error()};
  std::vector<std::int64_t> open_claims;
  std::int64_t watermark = 0;
  std::int64_t low = -1;  // the first open own range's id_low
  for (const auto& entry : *entries) {
    if (!entry.own) continue;
    watermark = std::max(watermark, entry.id_high);
    if (!entry.done) {
      open_claims.push_back(entry.claim);
      if (low < 0 || entry.id_low < low) low = entry.id_low;
    }
  }
  if (scope == RowScope::claimed && open_claims.empty()) return std::vector<MarkedGroup>{};
  if (low < 0) low = watermark;
  // owner: the lowest claim covering the row (0: none). Entries wholly below `low` are left out:
  // no row read is theirs.
  std::string owner = "CASE";
  std::vector<SqlValue> owner_params;
  for (const auto& entry : *entries) {
    if (entry.id_high <= low) continue;
    owner += " WHEN time >= ? AND time < ? AND id > ? AND id <= ? THEN ?";
    for (std::int64_t value : {entry.begin, entry.end, entry.id_low, entry.id_high, entry.claim})
      owner_params.emplace_back(value);
  }
  // BIGINT: PostgreSQL would type the CASE after its ELSE, int4, and the claims with it.
  owner = owner_params.empty() ? "0" : owner + " ELSE CAST(0 AS BIGINT) END";
  // The rows this slot reports: those its open claims own, and in a dry run those nobody owns.
  std::string owned = " WHERE owner IN (";
  for (std::size_t i = 0; i < open_claims.size(); ++i) owned += i == 0 ? "?" : ", ?";
  owned = open_claims.empty()
              ? " WHERE owner = 0"
              : owned + ")" + (scope == RowScope::unreported ? " OR owner = 0" : "");
  // A row a schema-4 run claimed and never marked keeps that claim: same rows, same Report-ID.
  std::string sql = std::string("SELECT ") + kGroupedColumns +
                    ", CASE WHEN legacy IS NOT NULL THEN legacy ELSE owner END FROM (SELECT " +
                    kGroupedColumns + ", claim AS legacy, " + owner +
                    " AS owner FROM records WHERE reported = 0 AND policy_domain = ?"
                    " AND time >= ? AND time < ? AND id > ?) AS slot_rows" +
                    owned;
  std::vector<SqlValue> params = std::move(owner_params);
  for (SqlValue value :
       {SqlValue{slot.policy_domain}, SqlValue{slot.begin}, SqlValue{slot.end}, SqlValue{low}})
    params.push_back(std::move(value));
  for (std::int64_t claim : open_claims) params.emplace_back(claim);
  if (auto read = connection.for_each_row(sql, params, visit); !read) return Error{read.error()};
  std::vector<MarkedGroup> marked;
  if (open_claims.empty()) return marked;
  auto marks = connection.query(
      "SELECT claim, policy_key FROM report_marks WHERE policy_domain = ? AND slot_begin = ?"
      " AND slot_end = ?",
      {slot.policy_domain, slot.begin, slot.end});
  if (!marks) return Error{marks.error()};
  for (const auto& row : *marks) {
    if (row.size() != 2) return Error{"store: unexpected column count"};
    marked.push_back({integer_text(row[0]), row[1]});
  }
  return marked;
}

Status mark(SqlConnection& connection, const ReportSlot& slot, const std::string& policy_key,
            std::int64_t claim) {
  return connection.execute(
      "INSERT INTO report_marks (claim, policy_domain, slot_begin, slot_end, policy_key)"
      " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      {claim, slot.policy_domain, slot.begin, slot.end, policy_key});
}

Status close(SqlConnection& connection, const ReportSlot& slot, std::int64_t last_claim) {
  if (auto begun = connection.execute("BEGIN", {}); !begun) return begun;
  Status closed = connection.execute(
      "UPDATE report_ledger SET done = 1 WHERE policy_domain = ? AND slot_begin = ?"
      " AND slot_end = ? AND done = 0 AND claim <= ?",
      {slot.policy_domain, slot.begin, slot.end, last_claim});
  if (closed)
    closed = connection.execute(
        "DELETE FROM report_marks WHERE policy_domain = ? AND slot_begin = ? AND slot_end = ?"
        " AND claim <= ?",
        {slot.policy_domain, slot.begin, slot.end, last_claim});
  if (closed) closed = connection.execute("COMMIT", {});
  if (!closed) (void)connection.execute("ROLLBACK", {});
  return closed;
}

// Rows whose owning claim (the lowest covering it, read_rows) is closed, or open with the report
// for their policy marked. Only after a change of the report interval can two ranges cover one
// row; the owner test, a lookup per row, is made only then.
Result<PruneCount> count_before(SqlConnection& connection, std::int64_t before) {
  auto all = single_integer(connection, "SELECT COUNT(*) FROM records WHERE time < ?", {before});
  auto earlier =
      all ? single_integer(connection,
                           "SELECT COUNT(*) FROM records WHERE time < ? AND reported = 1", {before})
          : all;
  auto mixed =
      earlier ? single_integer(connection,
                               "SELECT COUNT(*) FROM report_ledger a JOIN report_ledger b"
                               " ON a.policy_domain = b.policy_domain AND a.slot_begin < b.slot_end"
                               " AND b.slot_begin < a.slot_end AND (a.slot_begin <> b.slot_begin"
                               " OR a.slot_end <> b.slot_end) WHERE a.slot_begin < ?",
                               {before})
              : earlier;
  if (!mixed) return Error{mixed.error()};
  const std::string owner_only =
      *mixed == 0 ? ""
                  : " AND NOT EXISTS (SELECT 1 FROM report_ledger o WHERE"
                    " o.policy_domain = l.policy_domain AND o.claim < l.claim"
                    " AND r.time >= o.slot_begin AND r.time < o.slot_end AND r.id > o.id_low"
                    " AND r.id <= o.id_high)";
  auto later = single_integer(
      connection,
      "SELECT COUNT(*) FROM report_ledger l JOIN records r"
      " ON r.reported = 0 AND r.policy_domain = l.policy_domain"
      " AND r.time >= l.slot_begin AND r.time < l.slot_end AND r.id > l.id_low"
      " AND r.id <= l.id_high"
      " LEFT JOIN report_marks m ON m.claim = COALESCE(r.claim, l.claim)"
      " AND m.policy_domain = l.policy_domain AND m.slot_begin = l.slot_begin"
      " AND m.slot_end = l.slot_end AND m.policy_key = r.policy_key"
      " WHERE l.slot_begin < ? AND r.time < ? AND (l.done = 1 OR m.claim IS NOT NULL)" +
          owner_only,
      {before, before});
  if (!later) return Error{later.error()};
  PruneCount count;
  count.reported = *earlier + *later;
  count.unreported = *all - count.reported;
  return count;
}

Status forget_before(SqlConnection& connection, std::int64_t before) {
  if (auto gone = connection.execute("DELETE FROM report_ledger WHERE slot_end <= ?", {before});
      !gone)
    return gone;
  // By slot, not claim: a schema-4 claim's marks belong to a slot whose claims are schema 5's.
  return connection.execute(
      "DELETE FROM report_marks WHERE NOT EXISTS (SELECT 1 FROM report_ledger l"
      " WHERE l.policy_domain = report_marks.policy_domain"
      " AND l.slot_begin = report_marks.slot_begin AND l.slot_end = report_marks.slot_end)",
      {});
}

}  // namespace authmilter::report::ledger
