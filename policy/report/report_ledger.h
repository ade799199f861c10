// report_ledger.h - which stored rows each report run claimed: id ranges per slot (schema 5).
//
// Why ranges: schema 4 claimed by writing every row, and marked by writing it again. Each slot's
// rows are spread over the whole table (every domain's mail is interleaved), so each slot's
// transaction rewrote pages all over it: at 10 M rows a real run took ~20 min, a dry run ~40 s.
// A range costs one small ledger row per slot and claim, and rows are written once, by append().
//
// Why a range is exact: a claim's bound is a MAX(id) up to which every id is committed (or
// rolled back), so no row can later appear inside a claimed range. SQLite allocates ids under
// its one write lock, so any MAX(id) it reads is such a bound. On PostgreSQL ids are drawn at
// INSERT, before commit (BIGSERIAL, no sequence cache), and an INSERT holds ROW EXCLUSIVE on
// `records` from before it draws its id until its transaction ends. So the claim reads MAX(id),
// then lists the transactions holding that lock, and waits until those have ended: any id below
// the bound belongs to one of them or is already visible. It locks nothing itself, so the
// daemons' appends are never held back (LOCK TABLE ... SHARE would queue every new append behind
// it, and VACUUM would hold it up).
// The long read, discovery, runs before the claim's transaction: SQLite's write lock (which the
// daemons' appends wait for) is held only to add the rows appended meanwhile and the ledger rows.
//
// Tables:
//   report_ledger (policy_domain, slot_begin, slot_end, claim, id_low, id_high, done): the slot's
//     unreported rows with id in (id_low, id_high] are covered by `claim`. A slot's own entries
//     are contiguous ranges from 0 to its watermark (the last id_high). Entries close together
//     (a run reads all open ones of a slot and closes them when every report went out), so the
//     open ones are always the last few. After a change of the report interval, entries of
//     slots of different lengths can cover one row: the row belongs to the covering claim with
//     the lowest number, and only that claim's slot reports it. (A dry run then shows a row no
//     claim covers yet under each overlapping slot it lists.)
//   report_marks (claim, policy_domain, slot_begin, slot_end, policy_key): one report of an open
//     claim that went out, while another report of the slot still waits for a destination.
//   report_scan (scanned_id, scanned_until): every row with id <= scanned_id and
//     time < scanned_until lies in a ledger range (or was reported under schema 4), so finding
//     new rows reads only the rows after that, not every row kept for the retention.
// Rows still carry `reported` (1: reported under schema 4) and `claim` (schema 4's: a row a
// schema-4 run claimed and never marked keeps that claim, so its report keeps its rows and
// Report-ID; schema 5 never writes it).
//
// Every function runs on the caller's connection; the caller serialises access to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "report/record_store.h"
#include "report/sql_connection.h"

namespace authmilter::report::ledger {

// claim - one claim over every closed slot the query selects: ledger entries for their rows
// committed so far and not yet in a range; RecordStore::claim(). `lock_wait_ms`: how long
// PostgreSQL may wait for writers' transactions before the claim fails (the next run retries).
Result<RunClaim> claim(SqlConnection& connection, const SlotQuery& query,
                       std::int64_t lock_wait_ms);

// pending_slots - the slots a run would report now: open claims and rows not claimed yet.
Result<std::vector<ReportSlot>> pending_slots(SqlConnection& connection, const SlotQuery& query);

// read_rows - stream the slot's rows in `scope` to `visit` as kGroupedColumns plus the claim
// (0 for rows not claimed yet), and return the (claim, policy key) pairs already marked, whose
// groups the caller drops.
struct MarkedGroup {
  std::int64_t claim = 0;
  std::string policy_key;
  friend bool operator==(const MarkedGroup&, const MarkedGroup&) = default;
};
Result<std::vector<MarkedGroup>> read_rows(SqlConnection& connection, const ReportSlot& slot,
                                           RowScope scope, const SqlRowVisitor& visit);

Status mark(SqlConnection& connection, const ReportSlot& slot, const std::string& policy_key,
            std::int64_t claim);

// close - every open claim of the slot up to `last_claim` is reported whole.
Status close(SqlConnection& connection, const ReportSlot& slot, std::int64_t last_claim);

// count_before - rows older than `before`, split into reported and never reported.
Result<PruneCount> count_before(SqlConnection& connection, std::int64_t before);

// forget_before - ledger entries and marks of slots that ended by `before` (their rows are gone).
Status forget_before(SqlConnection& connection, std::int64_t before);

}  // namespace authmilter::report::ledger
