// schema.cpp - DDL per version and dialect.
#include "report/schema.h"

#include <string>

namespace authmilter::report {

namespace {

// A table's row id: ascending, never reused (AUTOINCREMENT: not even after the newest row is
// deleted by prune()).
std::string id_column(SqlDialect dialect) {
  return dialect == SqlDialect::sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                       : "BIGSERIAL PRIMARY KEY";
}

std::vector<std::string> version_1(SqlDialect dialect) {
  const std::string id = id_column(dialect);
  return {
      "CREATE TABLE records (id " + id +
          ", time BIGINT NOT NULL, policy_domain TEXT NOT NULL, policy_key TEXT NOT NULL,"
          " source_ip TEXT NOT NULL, header_from TEXT NOT NULL, envelope_from TEXT NOT NULL,"
          " envelope_to TEXT NOT NULL, spf_domain TEXT NOT NULL, spf_scope TEXT NOT NULL,"
          " spf_result TEXT NOT NULL, dkim TEXT NOT NULL, p TEXT NOT NULL, sp TEXT NOT NULL,"
          " np TEXT NOT NULL, psd TEXT NOT NULL, testing BIGINT NOT NULL, adkim TEXT NOT NULL,"
          " aspf TEXT NOT NULL, pct BIGINT NOT NULL, fo TEXT NOT NULL, discovery TEXT NOT NULL,"
          " rua TEXT NOT NULL, disposition TEXT NOT NULL, dmarc_result TEXT NOT NULL,"
          " dkim_aligned TEXT NOT NULL, spf_aligned TEXT NOT NULL, overrides TEXT NOT NULL,"
          " queue_id TEXT NOT NULL, reported BIGINT NOT NULL DEFAULT 0)",
      "CREATE INDEX records_pending ON records (reported, policy_domain, time)",
      "CREATE INDEX records_time ON records (time)",
      "CREATE TABLE deliveries (report_id TEXT NOT NULL, destination TEXT NOT NULL,"
      " sent_at BIGINT NOT NULL, PRIMARY KEY (report_id, destination))",
  };
}

// Version 2: what decide() was given (report_record.h DecisionFacts), for
// authmilter-check --history. Nullable, no default: adding them rewrites no existing row on
// either database, and an old row reads as "no facts" (NULL reads as "").
std::vector<std::string> version_2() {
  std::vector<std::string> statements;
  for (const char* column :
       {"author_verdict TEXT", "author_domains TEXT", "dmarc_code TEXT",
        "published_disposition TEXT", "requested_disposition TEXT", "list_headers BIGINT",
        "arc_result TEXT", "arc_sealer TEXT", "arc_sealers TEXT"})
    statements.push_back(std::string("ALTER TABLE records ADD COLUMN ") + column);
  return statements;
}

// Version 3: failure reports. `failures` holds one row per reportable failure (written in the
// transaction of its records row; state 0 open, 1 done, 2 expired); `failure_deliveries` what
// became of each report per destination (sent or rate-limited), which the hourly limits count.
std::vector<std::string> version_3(SqlDialect dialect) {
  const std::string id = id_column(dialect);
  return {
      "CREATE TABLE failures (id " + id +
          ", time BIGINT NOT NULL, policy_domain TEXT NOT NULL, psd TEXT NOT NULL,"
          " header_from TEXT NOT NULL, source_ip TEXT NOT NULL, queue_id TEXT NOT NULL,"
          " spf_domain TEXT NOT NULL, spf_result TEXT NOT NULL, ruf TEXT NOT NULL,"
          " fired TEXT NOT NULL, identity_alignment TEXT NOT NULL, mail_from TEXT NOT NULL,"
          " spf_record TEXT NOT NULL, dkim_domain TEXT NOT NULL, dkim_identity TEXT NOT NULL,"
          " dkim_selector TEXT NOT NULL, authentication_results TEXT NOT NULL,"
          " delivery_result TEXT NOT NULL, headers TEXT NOT NULL, headers_cut BIGINT NOT NULL,"
          " state BIGINT NOT NULL DEFAULT 0)",
      "CREATE INDEX failures_open ON failures (state, time)",
      "CREATE TABLE failure_deliveries (failure_id BIGINT NOT NULL, destination TEXT NOT NULL,"
      " outcome TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (failure_id, destination))",
      "CREATE INDEX failure_deliveries_at ON failure_deliveries (outcome, at)",
  };
}

// Version 4: a report run claims rows before it reads them (record_store.h). records.claim:
// NULL until claimed, then the claim's number; nullable without a default, so adding it
// rewrites no row. report_claims: one row, the last claim number handed out.
std::vector<std::string> version_4() {
  return {
      "ALTER TABLE records ADD COLUMN claim BIGINT",
      "CREATE TABLE report_claims (last_claim BIGINT NOT NULL)",
      "INSERT INTO report_claims (last_claim) VALUES (0)",
  };
}

// Version 5: claims as id ranges per slot (report_ledger.h), so a run writes no record row.
// Rows schema 4 claimed but never marked keep that claim (records.claim) until it is reported:
// the same rows under the same Report-ID (aggregate_report.h), so nothing is sent twice.
std::vector<std::string> version_5() {
  constexpr const char* kLedger =
      "CREATE TABLE report_ledger (policy_domain TEXT NOT NULL, slot_begin BIGINT NOT NULL,"
      " slot_end BIGINT NOT NULL, claim BIGINT NOT NULL, id_low BIGINT NOT NULL,"
      " id_high BIGINT NOT NULL, done BIGINT NOT NULL DEFAULT 0,"
      " PRIMARY KEY (policy_domain, slot_begin, claim))";
  constexpr const char* kMarks =
      "CREATE TABLE report_marks (claim BIGINT NOT NULL, policy_domain TEXT NOT NULL,"
      " slot_begin BIGINT NOT NULL, slot_end BIGINT NOT NULL, policy_key TEXT NOT NULL,"
      " PRIMARY KEY (claim, policy_domain, slot_begin, slot_end, policy_key))";
  return {
      kLedger,
      "CREATE INDEX report_ledger_open ON report_ledger (done, slot_begin)",
      kMarks,
      "CREATE TABLE report_scan (scanned_id BIGINT NOT NULL, scanned_until BIGINT NOT NULL)",
      "INSERT INTO report_scan (scanned_id, scanned_until) VALUES (0, 0)",
  };
}

Result<int> current_version(SqlConnection& connection) {
  auto rows = connection.query("SELECT MAX(version) FROM schema_version", {});
  if (!rows) return Error{rows.error()};
  if (rows->empty() || rows->front().empty() || rows->front().front().empty()) return 0;
  try {
    return std::stoi(rows->front().front());
  } catch (const std::exception&) {
    return Error{"store: unreadable schema_version '" + rows->front().front() + "'"};
  }
}

Status apply(SqlConnection& connection, int from) {
  if (from < 1) {
    for (const auto& statement : version_1(connection.dialect()))
      if (auto done = connection.execute(statement, {}); !done) return done;
  }
  if (from < 2) {
    for (const auto& statement : version_2())
      if (auto done = connection.execute(statement, {}); !done) return done;
  }
  if (from < 3) {
    for (const auto& statement : version_3(connection.dialect()))
      if (auto done = connection.execute(statement, {}); !done) return done;
  }
  if (from < 4) {
    for (const auto& statement : version_4())
      if (auto done = connection.execute(statement, {}); !done) return done;
  }
  if (from < 5) {
    for (const auto& statement : version_5())
      if (auto done = connection.execute(statement, {}); !done) return done;
  }
  return connection.execute("INSERT INTO schema_version (version) VALUES (?)",
                            {std::int64_t{kSchemaVersion}});
}

}  // namespace

Result<int> schema_version(SqlConnection& connection) {
  return current_version(connection);
}

Status migrate_schema(SqlConnection& connection) {
  auto created =
      connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)", {});
  if (!created) return created;
  if (auto begun = connection.begin_exclusive(); !begun) return begun;
  auto version = current_version(connection);
  Status outcome = Ok{};
  if (!version)
    outcome = Error{version.error()};
  else if (*version > kSchemaVersion)
    outcome = Error{"store: schema version " + std::to_string(*version) +
                    " is newer than this program's " + std::to_string(kSchemaVersion)};
  else if (*version < kSchemaVersion)
    outcome = apply(connection, *version);
  if (!outcome) {
    (void)connection.execute("ROLLBACK", {});
    return outcome;
  }
  return connection.execute("COMMIT", {});
}

}  // namespace authmilter::report
