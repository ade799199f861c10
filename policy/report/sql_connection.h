// sql_connection.h - the few SQL operations the record store needs, over SQLite or libpq.
//
// One connection; NOT thread-safe (SqlRecordStore serialises access). SQL text uses `?`
// placeholders; the PostgreSQL connection rewrites them to $1..$n. Integer parameters bind as
// integers, text as text; query() returns every column as text (NULL as ""). Failures are
// Status/Result errors naming the statement's first words and the library's message.
//   open_sqlite(path, synchronous_full) - WAL journal; see sqlite_connection.cpp for durability.
//   open_postgres(conninfo)             - a libpq connection string or postgresql:// URI.
#pragma once

#include <cstdint>
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

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual SqlDialect dialect() const = 0;
  virtual Status execute(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  virtual Result<std::vector<SqlRow>> query(std::string_view sql,
                                            const std::vector<SqlValue>& params) = 0;
  // begin_exclusive - a transaction that excludes other writers (schema migration).
  virtual Status begin_exclusive() = 0;
};

Result<std::unique_ptr<SqlConnection>> open_sqlite(const std::string& path, bool synchronous_full);
Result<std::unique_ptr<SqlConnection>> open_postgres(const std::string& conninfo);

}  // namespace authmilter::report
