// sql_connection.h - the few SQL operations the record store needs, over SQLite or libpq.
//
// One connection; NOT thread-safe (SqlRecordStore serialises access). SQL text uses `?`
// placeholders; the PostgreSQL connection rewrites them to $1..$n. Integer parameters bind as
// integers, text as text; query() returns every column as text (NULL as ""). Failures are
// Status/Result errors naming the statement's first words and the library's message.
// for_each_row() streams a query's rows to a visitor one at a time, so that reading a slot of
// millions of rows holds one row, not all of them; a visitor's error stops the query.
//   open_sqlite(path, synchronous_full) - WAL journal; see sqlite_connection.cpp for durability.
//   open_postgres(conninfo)             - a libpq connection string or postgresql:// URI.
//   open_sqlite_read_only(path)         - read-only, for reading the live store.
#pragma once

#include <charconv>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"

namespace authmilter::report {

using SqlValue = std::variant<std::int64_t, std::string>;
using SqlRow = std::vector<std::string>;

enum class SqlDialect { sqlite, postgresql };

// integer_text - an integer column read as text by query() (NULL's "" and non-numbers read as 0).
inline std::int64_t integer_text(std::string_view text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// One row of a streamed query; its texts are valid only during the visit (NULL reads as "").
class SqlRowView {
 public:
  virtual ~SqlRowView() = default;
  virtual std::size_t size() const = 0;
  virtual std::string_view column(std::size_t index) const = 0;
  // integer - an integer column without a detour through text (SQLite would allocate for it).
  virtual std::int64_t integer(std::size_t index) const = 0;
};

using SqlRowVisitor = std::function<Status(const SqlRowView&)>;

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual SqlDialect dialect() const = 0;
  virtual Status execute(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  virtual Result<std::vector<SqlRow>> query(std::string_view sql,
                                            const std::vector<SqlValue>& params) = 0;
  virtual Status for_each_row(std::string_view sql, const std::vector<SqlValue>& params,
                              const SqlRowVisitor& visit) = 0;
  // begin_exclusive - a transaction that excludes other writers (schema migration).
  virtual Status begin_exclusive() = 0;
};

Result<std::unique_ptr<SqlConnection>> open_sqlite(const std::string& path, bool synchronous_full);
Result<std::unique_ptr<SqlConnection>> open_postgres(const std::string& conninfo);
// open_sqlite_read_only - SQLITE_OPEN_READONLY through a mode=ro URI: no journal change, no
// pragma that writes; for authmilter-check --history on the live store.
Result<std::unique_ptr<SqlConnection>> open_sqlite_read_only(const std::string& path);

}  // namespace authmilter::report
