// schema.h - the store's tables, created and migrated by the program (schema_version table).
//
// migrate_schema() runs in one exclusive transaction: it reads the version, applies every later
// migration in order and records the new version, so concurrent starters (several daemons on one
// PostgreSQL) and a crash half-way both leave a consistent schema. A database whose version is
// newer than this program knows is refused rather than written with the wrong columns.
#pragma once

#include "common/result.h"
#include "report/sql_connection.h"

namespace authmilter::report {

// 1: records and deliveries. 2: the records' decision facts (report_record.h DecisionFacts).
// 3: failures and failure_deliveries (RFC 9991 failure reports, failure_record.h).
// 4: the records' report claim and report_claims (record_store.h: claim before reading).
// 5: claims as id ranges: report_ledger, report_marks, report_scan (report_ledger.h).
inline constexpr int kSchemaVersion = 5;

// schema_version - the version a store has (0: none yet), without changing anything.
Result<int> schema_version(SqlConnection& connection);

Status migrate_schema(SqlConnection& connection);

}  // namespace authmilter::report
