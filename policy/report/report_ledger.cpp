// report_ledger.cpp - claims as id ranges; see report_ledger.h.
#include "report/report_ledger.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <utility>

#include "report/row_grouper.h"

namespace authmilter::report::ledger {

namespace {

std::int64_t to_integer(const std::string& text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

Result<std::int64_t> single_integer(SqlConnection& connection, std::string_view sql,
                                    const std::vector<SqlValue>& params) {
  auto found = connection.query(sql, params);
  if (!found) return Error{found.error()};
  if (found->size() != 1 || found->front().empty())
    return Error{"store: " + std::string(sql.substr(0, 40)) + ": expected one value"};
  return to_integer(found->front().front());
}

// Only whole intervals that have ended: a report never covers a day still receiving mail.
std::int64_t closed_until(const SlotQuery& query) {
  return query.until - (query.until % query.interval_seconds);
}

bool unfiltered(const SlotQuery& query) {
  return query.domain.empty() && query.since <= 0;
}

using SlotKey = std::pair<std::string, std::int64_t>;  // policy domain, slot begin

// A slot with rows to claim: its watermark (the last id_high, 0 without a claim) and the largest
// id of its rows found up to the bound.
struct Discovered {
  std::int64_t watermark = 0;
  std::int64_t max_id = 0;
};

// The domain filter as SQL text, so that a --domain run can use the index on policy_domain.
std::string domain_filter(const SlotQuery& query, const char* column) {
  return query.domain.empty() ? " AND '' = ?" : std::string(" AND ") + column + " = ?";
}

Status add_discovered(SqlConnection& connection, const std::string& head, const SlotQuery& query,
                      std::int64_t since, std::int64_t bound, std::map<SlotKey, Discovered>& out,
                      std::vector<SqlValue> params) {
  const std::string sql = "SELECT policy_domain, time - (time % ?), MAX(id) FROM records " + head +
                          " AND time >= ? AND time < ? AND id <= ?" +
                          domain_filter(query, "policy_domain") + " GROUP BY 1, 2";
  params.insert(params.begin(), SqlValue{query.interval_seconds});
  for (SqlValue value :
       {SqlValue{since}, SqlValue{closed_until(query)}, SqlValue{bound}, SqlValue{query.domain}})
    params.push_back(std::move(value));
  auto found = connection.query(sql, params);
  if (!found) return Error{found.error()};
  for (const auto& row : *found) {
    if (row.size() != 3) return Error{"store: unexpected column count"};
    auto& slot = out[{row[0], to_integer(row[1])}];
    slot.max_id = std::max(slot.max_id, to_integer(row[2]));
  }
  return Ok{};
}

// The slots with rows up to `bound` beyond their watermark. Reads only the rows after
// report_scan's mark (report_ledger.h), unless there is none yet.
Result<std::map<SlotKey, Discovered>> discover(SqlConnection& connection, const SlotQuery& query,
                                               std::int64_t bound) {
  auto scan = connection.query("SELECT scanned_id, scanned_until FROM report_scan", {});
  if (!scan) return Error{scan.error()};
  if (scan->size() != 1 || scan->front().size() != 2) return Error{"store: report_scan has no row"};
  const std::int64_t scanned_id = to_integer(scan->front()[0]);
  const std::int64_t scanned_until = to_integer(scan->front()[1]);
  const bool sqlite = connection.dialect() == SqlDialect::sqlite;
  std::map<SlotKey, Discovered> found;
  Status read = Ok{};
  if (scanned_id == 0 && scanned_until == 0) {
    // The first claim of the store: every unreported row, through records_pending alone.
    read = add_discovered(connection, "WHERE reported = 0", query, query.since, bound, found, {});
  } else {
    // Rows committed since the mark, by id (SQLite: the rowid range, not records_pending)...
    read = add_discovered(
        connection, std::string(sqlite ? "NOT INDEXED " : "") + "WHERE id > ? AND reported = 0",
        query, query.since, bound, found, {scanned_id});
    // ...and those of intervals still open when the mark was set, by time.
    if (read)
      read = add_discovered(
          connection, std::string(sqlite ? "INDEXED BY records_time " : "") + "WHERE reported = 0",
          query, std::max(query.since, scanned_until), bound, found, {});
  }
  if (!read) return Error{read.error()};
  auto marks = connection.query(
      "SELECT policy_domain, slot_begin, MAX(id_high) FROM report_ledger WHERE 1 = 1" +
          domain_filter(query, "policy_domain") + " GROUP BY policy_domain, slot_begin",
      {query.domain});
  if (!marks) return Error{marks.error()};
  for (const auto& row : *marks) {
    if (row.size() != 3) return Error{"store: unexpected column count"};
    const auto slot = found.find({row[0], to_integer(row[1])});
    if (slot != found.end()) slot->second.watermark = to_integer(row[2]);
  }
  std::erase_if(found,
                [](const auto& slot) { return slot.second.max_id <= slot.second.watermark; });
  return found;
}

Result<std::vector<ReportSlot>> open_slots(SqlConnection& connection, const SlotQuery& query) {
  auto found = connection.query(
      "SELECT DISTINCT policy_domain, slot_begin, slot_end FROM report_ledger WHERE done = 0"
      " AND slot_begin >= ? AND slot_end <= ?" +
          domain_filter(query, "policy_domain"),
      {query.since, closed_until(query), query.domain});
  if (!found) return Error{found.error()};
  std::vector<ReportSlot> slots;
  for (const auto& row : *found) {
    if (row.size() != 3) return Error{"store: unexpected column count"};
    slots.push_back({row[0], to_integer(row[1]), to_integer(row[2])});
  }
  return slots;
}

void sort_unique(std::vector<ReportSlot>& slots) {
  std::sort(slots.begin(), slots.end(), [](const ReportSlot& a, const ReportSlot& b) {
    return std::tie(a.policy_domain, a.begin, a.end) < std::tie(b.policy_domain, b.begin, b.end);
  });
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
}

// The id bound of a claim: every row up to it is committed. PostgreSQL: see report_ledger.h;
// the SHARE lock is held only for the one SELECT, so the daemons' appends wait milliseconds.
Result<std::int64_t> postgres_bound(SqlConnection& connection, std::int64_t lock_wait_ms) {
  if (auto begun = connection.execute("BEGIN", {}); !begun) return Error{begun.error()};
  Status locked =
      connection.execute("SET LOCAL lock_timeout = " + std::to_string(lock_wait_ms), {});
  if (locked) locked = connection.execute("LOCK TABLE records IN SHARE MODE", {});
  Result<std::int64_t> bound =
      locked ? single_integer(connection, "SELECT COALESCE(MAX(id), 0) FROM records", {})
             : Result<std::int64_t>(Error{locked.error()});
  if (bound) {
    if (auto committed = connection.execute("COMMIT", {}); !committed)
      bound = Error{committed.error()};
  }
  if (!bound) (void)connection.execute("ROLLBACK", {});
  return bound;
}

Result<std::int64_t> insert_claims(SqlConnection& connection, const SlotQuery& query,
                                   std::int64_t bound) {
  auto number = single_integer(
      connection, "UPDATE report_claims SET last_claim = last_claim + 1 RETURNING last_claim", {});
  if (!number) return number;
  auto found = discover(connection, query, bound);
  if (!found) return Error{found.error()};
  for (const auto& [key, slot] : *found) {
    Status inserted = connection.execute(
        "INSERT INTO report_ledger (policy_domain, slot_begin, slot_end, claim, id_low, id_high,"
        " done) VALUES (?, ?, ?, ?, ?, ?, 0)",
        {key.first, key.second, key.second + query.interval_seconds, *number, slot.watermark,
         bound});
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

Result<RunClaim> claim(SqlConnection& connection, const SlotQuery& query,
                       std::int64_t lock_wait_ms) {
  if (query.interval_seconds <= 0) return Error{"store: the report interval must be positive"};
  const bool sqlite = connection.dialect() == SqlDialect::sqlite;
  std::int64_t bound = 0;
  if (!sqlite) {
    auto taken = postgres_bound(connection, lock_wait_ms);
    if (!taken) return Error{taken.error()};
    bound = *taken;
  }
  // SQLite: BEGIN IMMEDIATE holds the write lock, so MAX(id) is the bound. PostgreSQL: a plain
  // transaction; the report_claims row lock taken first orders concurrent runs.
  if (auto begun = sqlite ? connection.begin_exclusive() : connection.execute("BEGIN", {}); !begun)
    return Error{begun.error()};
  Result<std::int64_t> number = std::int64_t{0};
  if (sqlite) {
    auto taken = single_integer(connection, "SELECT COALESCE(MAX(id), 0) FROM records", {});
    if (taken)
      bound = *taken;
    else
      number = Error{taken.error()};
  }
  if (number) number = insert_claims(connection, query, bound);
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
  auto bound = single_integer(connection, "SELECT COALESCE(MAX(id), 0) FROM records", {});
  if (!bound) return Error{bound.error()};
  auto found = discover(connection, query, *bound);
  if (!found) return Error{found.error()};
  for (const auto& [key, slot] : *found)
    slots->push_back({key.first, key.second, key.second + query.interval_seconds});
  sort_unique(*slots);
  return slots;
}

Result<std::vector<MarkedGroup>> read_rows(SqlConnection& connection, const ReportSlot& slot,
                                           RowScope scope, const SqlRowVisitor& visit) {
  auto entries = connection.query(
      "SELECT claim, id_low, id_high, done FROM report_ledger WHERE policy_domain = ?"
      " AND slot_begin = ? AND slot_end = ? ORDER BY id_high",
      {slot.policy_domain, slot.begin, slot.end});
  if (!entries) return Error{entries.error()};
  std::int64_t watermark = 0;
  std::vector<const SqlRow*> open;
  for (const auto& entry : *entries) {
    if (entry.size() != 4) return Error{"store: unexpected column count"};
    watermark = to_integer(entry[2]);
    if (to_integer(entry[3]) == 0) open.push_back(&entry);
  }
  if (scope == RowScope::claimed && open.empty()) return std::vector<MarkedGroup>{};
  // Each open range's rows carry its claim; rows past the watermark are not claimed yet.
  std::string claim_of = "CASE";
  std::vector<SqlValue> params;
  for (const SqlRow* entry : open) {
    claim_of += " WHEN id <= ? THEN ?";
    params.emplace_back(to_integer((*entry)[2]));
    params.emplace_back(to_integer((*entry)[0]));
  }
  claim_of = open.empty() ? "0" : claim_of + " ELSE 0 END";
  const std::int64_t low = open.empty() ? watermark : to_integer((*open.front())[1]);
  std::string sql = std::string("SELECT ") + kGroupedColumns + ", " + claim_of +
                    " FROM records WHERE reported = 0 AND policy_domain = ? AND time >= ?"
                    " AND time < ? AND id > ?";
  for (SqlValue value :
       {SqlValue{slot.policy_domain}, SqlValue{slot.begin}, SqlValue{slot.end}, SqlValue{low}})
    params.push_back(std::move(value));
  if (scope == RowScope::claimed) {
    sql += " AND id <= ?";
    params.emplace_back(watermark);
  }
  if (auto read = connection.for_each_row(sql, params, visit); !read) return Error{read.error()};
  std::vector<MarkedGroup> marked;
  if (open.empty()) return marked;
  auto marks = connection.query(
      "SELECT claim, policy_key FROM report_marks WHERE policy_domain = ? AND slot_begin = ?",
      {slot.policy_domain, slot.begin});
  if (!marks) return Error{marks.error()};
  for (const auto& row : *marks) {
    if (row.size() != 2) return Error{"store: unexpected column count"};
    marked.push_back({to_integer(row[0]), row[1]});
  }
  return marked;
}

Status mark(SqlConnection& connection, const ReportSlot& slot, const std::string& policy_key,
            std::int64_t claim) {
  return connection.execute(
      "INSERT INTO report_marks (claim, policy_domain, slot_begin, policy_key)"
      " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
      {claim, slot.policy_domain, slot.begin, policy_key});
}

Status close(SqlConnection& connection, const ReportSlot& slot, std::int64_t last_claim) {
  if (auto begun = connection.execute("BEGIN", {}); !begun) return begun;
  Status closed = connection.execute(
      "UPDATE report_ledger SET done = 1 WHERE policy_domain = ? AND slot_begin = ?"
      " AND slot_end = ? AND done = 0 AND claim <= ?",
      {slot.policy_domain, slot.begin, slot.end, last_claim});
  if (closed)
    closed = connection.execute(
        "DELETE FROM report_marks WHERE policy_domain = ? AND slot_begin = ? AND claim <= ?",
        {slot.policy_domain, slot.begin, last_claim});
  if (closed) closed = connection.execute("COMMIT", {});
  if (!closed) (void)connection.execute("ROLLBACK", {});
  return closed;
}

Result<PruneCount> count_before(SqlConnection& connection, std::int64_t before) {
  constexpr const char* kInRange =
      " JOIN records r ON r.reported = 0 AND r.policy_domain = l.policy_domain"
      " AND r.time >= l.slot_begin AND r.time < l.slot_end AND r.id > l.id_low"
      " AND r.id <= l.id_high";
  auto all = single_integer(connection, "SELECT COUNT(*) FROM records WHERE time < ?", {before});
  auto earlier =
      all ? single_integer(connection,
                           "SELECT COUNT(*) FROM records WHERE time < ? AND reported = 1", {before})
          : all;
  auto closed =
      earlier ? single_integer(connection,
                               std::string("SELECT COUNT(*) FROM report_ledger l") + kInRange +
                                   " WHERE l.done = 1 AND l.slot_begin < ? AND r.time < ?",
                               {before, before})
              : earlier;
  auto marked =
      closed ? single_integer(connection,
                              std::string("SELECT COUNT(*) FROM report_ledger l") + kInRange +
                                  " JOIN report_marks m ON m.claim = l.claim"
                                  " AND m.policy_domain = l.policy_domain"
                                  " AND m.slot_begin = l.slot_begin AND m.policy_key = r.policy_key"
                                  " WHERE l.done = 0 AND l.slot_begin < ? AND r.time < ?",
                              {before, before})
             : closed;
  if (!marked) return Error{marked.error()};
  PruneCount count;
  count.reported = *earlier + *closed + *marked;
  count.unreported = *all - count.reported;
  return count;
}

Status forget_before(SqlConnection& connection, std::int64_t before) {
  if (auto gone = connection.execute("DELETE FROM report_ledger WHERE slot_end <= ?", {before});
      !gone)
    return gone;
  return connection.execute(
      "DELETE FROM report_marks WHERE NOT EXISTS (SELECT 1 FROM report_ledger l"
      " WHERE l.claim = report_marks.claim AND l.policy_domain = report_marks.policy_domain"
      " AND l.slot_begin = report_marks.slot_begin)",
      {});
}

}  // namespace authmilter::report::ledger
