// sqlite_connection.cpp - SqlConnection over SQLite (WAL).
//
// Durability: WAL journal. With synchronous=NORMAL a committed transaction survives the process
// being killed (the WAL is in the OS page cache, which a kill -9 does not lose) but not a power
// loss; with synchronous=FULL the WAL is fsync'ed at every commit and survives power loss too.
// The store's default is FULL: group commit makes one fsync cover many messages, so the price is
// small, and "answered" must mean "recorded" even across a crash of the machine.
#include <sqlite3.h>

#include <map>

#include "common/c_handle.h"
#include "report/sql_connection.h"

namespace authmilter::report {

namespace {

using SqliteDb = CHandle<sqlite3, sqlite3_close_v2>;
using SqliteStatement = CHandle<sqlite3_stmt, sqlite3_finalize>;

constexpr int kBusyTimeoutMs = 10000;  // the report program and the daemon share the file

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(SqliteDb db) : db_(std::move(db)) {}
  SqlDialect dialect() const override { return SqlDialect::sqlite; }

  Status execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    return for_each_row(sql, params, nullptr);
  }
  Result<std::vector<SqlRow>> query(std::string_view sql,
                                    const std::vector<SqlValue>& params) override {
    std::vector<SqlRow> rows;
    auto done = for_each_row(sql, params, [&rows](const SqlRowView& view) -> Status {
      SqlRow& row = rows.emplace_back();
      for (std::size_t c = 0; c < view.size(); ++c) row.emplace_back(view.column(c));
      return Ok{};
    });
    if (!done) return Error{done.error()};
    return rows;
  }
  Status for_each_row(std::string_view sql, const std::vector<SqlValue>& params,
                      const SqlRowVisitor& visit) override;
  Status begin_exclusive() override { return execute("BEGIN IMMEDIATE", {}); }

 private:
  Error failure(std::string_view sql) const {
    return Error{"sqlite: " + std::string(sql.substr(0, 40)) + ": " + sqlite3_errmsg(db_.get())};
  }

  Result<sqlite3_stmt*> prepared(std::string_view sql) {
    auto found = statements_.find(std::string(sql));
    if (found != statements_.end()) return found->second.get();
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
        SQLITE_OK)
      return failure(sql);
    SqliteStatement statement(raw);
    return statements_.emplace(std::string(sql), std::move(statement)).first->second.get();
  }

  Status bind(sqlite3_stmt* statement, const std::vector<SqlValue>& params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      if (const auto* number = std::get_if<std::int64_t>(&params[i]))
        rc = sqlite3_bind_int64(statement, index, *number);
      else {
        const auto& text = std::get<std::string>(params[i]);
        rc = sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()),
                               SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return Error{"sqlite: bind: " + std::string(sqlite3_errstr(rc))};
    }
    return Ok{};
  }

  // Statements must be finalized before the database closes: declared after db_.
  SqliteDb db_;
  std::map<std::string, SqliteStatement, std::less<>> statements_;
};

// The current row of a stepped statement: SQLite converts and reads a column only when asked.
class SqliteRowView final : public SqlRowView {
 public:
  explicit SqliteRowView(sqlite3_stmt* statement) : statement_(statement) {}
  std::size_t size() const override {
    return static_cast<std::size_t>(sqlite3_column_count(statement_));
  }
  std::string_view column(std::size_t index) const override {
    const int c = static_cast<int>(index);
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, c));
    if (text == nullptr) return {};
    return {text, static_cast<std::size_t>(sqlite3_column_bytes(statement_, c))};
  }
  std::int64_t integer(std::size_t index) const override {
    return sqlite3_column_int64(statement_, static_cast<int>(index));
  }

 private:
  sqlite3_stmt* statement_;
};

Status SqliteConnection::for_each_row(std::string_view sql, const std::vector<SqlValue>& params,
                                      const SqlRowVisitor& visit) {
  auto statement = prepared(sql);
  if (!statement) return Error{statement.error()};
  sqlite3_stmt* stmt = *statement;
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (auto bound = bind(stmt, params); !bound) return bound;
  const SqliteRowView view(stmt);
  while (true) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      Status error = failure(sql);
      sqlite3_reset(stmt);
      return error;
    }
    if (!visit) continue;
    if (Status visited = visit(view); !visited) {
      sqlite3_reset(stmt);  // ends the read, so that its snapshot does not pin the WAL
      return visited;
    }
  }
  sqlite3_reset(stmt);
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> open_sqlite(const std::string& path, bool synchronous_full) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK)
    return Error{"sqlite: cannot open " + path + ": " +
                 (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))};
  // SQLite silently opens a write-protected file read-only; every append would then fail.
  if (sqlite3_db_readonly(db.get(), "main") == 1)
    return Error{"sqlite: " + path +
                 " is read-only (read-only file system or file permissions); the store must be "
                 "writable"};
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  auto connection = std::make_unique<SqliteConnection>(std::move(db));
  const std::string sync =
      synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  auto mode = connection->query("PRAGMA journal_mode=WAL", {});
  if (!mode) return Error{"sqlite: " + path + ": " + mode.error()};
  if (mode->empty() || mode->front().empty() || mode->front().front() != "wal")
    return Error{"sqlite: " + path + ": cannot switch to WAL journal mode"};
  if (auto done = connection->execute(sync, {}); !done) return Error{done.error()};
  return std::unique_ptr<SqlConnection>(std::move(connection));
}

Result<std::unique_ptr<SqlConnection>> open_sqlite_read_only(const std::string& path) {
  // A URI with mode=ro: SQLite then never creates the file nor writes it (a missing file is an
  // error, not a new empty store); the WAL of a live daemon is still read.
  std::string uri = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#')
      uri += c == '%' ? "%25" : c == '?' ? "%3f" : "%23";
    else
      uri += c;
  }
  uri += "?mode=ro";
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK)
    return Error{"sqlite: cannot open " + path +
                 " read-only: " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))};
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  return std::unique_ptr<SqlConnection>(std::make_unique<SqliteConnection>(std::move(db)));
}

}  // namespace authmilter::report
