// postgres_connection.cpp - SqlConnection over libpq (several MTAs feeding one report set).
//
// Durability: PostgreSQL's default synchronous_commit=on makes COMMIT return only after the WAL
// is flushed on the server, so a row committed before the milter answers survives a crash of
// either side.
#include <libpq-fe.h>

#include "common/c_handle.h"
#include "report/sql_connection.h"

namespace authmilter::report {

namespace {

using PgConnection = CHandle<PGconn, PQfinish>;
using PgResult = CHandle<PGresult, PQclear>;

// `?` -> `$n`: the store writes portable SQL; no statement of ours has `?` inside a literal.
std::string numbered_placeholders(std::string_view sql) {
  std::string out;
  int next = 1;
  for (char c : sql) {
    if (c == '?')
      out += "$" + std::to_string(next++);
    else
      out += c;
  }
  return out;
}

std::vector<std::string> parameter_texts(const std::vector<SqlValue>& params) {
  std::vector<std::string> texts;
  texts.reserve(params.size());
  for (const auto& param : params) {
    if (const auto* number = std::get_if<std::int64_t>(&param))
      texts.push_back(std::to_string(*number));
    else
      texts.push_back(std::get<std::string>(param));
  }
  return texts;
}

// One statement ready for libpq: `?` numbered, the parameters as text, and pointers to those.
struct PgStatement {
  PgStatement(std::string_view sql, const std::vector<SqlValue>& params)
      : text(numbered_placeholders(sql)), parameters(parameter_texts(params)) {
    values.reserve(parameters.size());
    for (const auto& parameter : parameters) values.push_back(parameter.c_str());
  }
  PgStatement(const PgStatement&) = delete;  // `values` points into `parameters`
  PgStatement& operator=(const PgStatement&) = delete;
  int count() const { return static_cast<int>(values.size()); }

  std::string text;
  std::vector<std::string> parameters;
  std::vector<const char*> values;
};

// Row `row` of a result (in single-row mode, the one row of its own result).
class PgRowView final : public SqlRowView {
 public:
  PgRowView(const PGresult* result, int row) : result_(result), row_(row) {}
  std::size_t size() const override { return static_cast<std::size_t>(PQnfields(result_)); }
  std::string_view column(std::size_t index) const override {
    const int c = static_cast<int>(index);
    return {PQgetvalue(result_, row_, c), static_cast<std::size_t>(PQgetlength(result_, row_, c))};
  }
  std::int64_t integer(std::size_t index) const override { return integer_text(column(index)); }

 private:
  const PGresult* result_;
  int row_;
};

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PgConnection connection) : connection_(std::move(connection)) {}
  SqlDialect dialect() const override { return SqlDialect::postgresql; }

  Status execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    auto rows = run(sql, params);
    if (!rows) return Error{rows.error()};
    return Ok{};
  }
  Result<std::vector<SqlRow>> query(std::string_view sql,
                                    const std::vector<SqlValue>& params) override {
    return run(sql, params);
  }
  Status for_each_row(std::string_view sql, const std::vector<SqlValue>& params,
                      const SqlRowVisitor& visit) override;
  Status begin_exclusive() override {
    if (auto begun = execute("BEGIN", {}); !begun) return begun;
    // Serialises concurrent migrations by several daemons on one database.
    return execute("SELECT pg_advisory_xact_lock(7489)", {});
  }

 private:
  Error failure(std::string_view sql) const {
    std::string message = PQerrorMessage(connection_.get());
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Error{"postgresql: " + std::string(sql.substr(0, 40)) + ": " + message};
  }

  Result<std::vector<SqlRow>> run(std::string_view sql, const std::vector<SqlValue>& params) {
    // A server restart or a dropped connection: reconnect, so that the statement that found the
    // connection broken fails (its batch is tempfailed) and the next batch works again.
    if (PQstatus(connection_.get()) == CONNECTION_BAD) PQreset(connection_.get());
    const PgStatement statement(sql, params);
    PgResult result(PQexecParams(connection_.get(), statement.text.c_str(), statement.count(),
                                 nullptr, statement.values.data(), nullptr, nullptr, 0));
    const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(sql);
    std::vector<SqlRow> rows;
    const int count = PQntuples(result.get());
    const int columns = PQnfields(result.get());
    for (int r = 0; r < count; ++r) {
      SqlRow row;
      for (int c = 0; c < columns; ++c)
        row.emplace_back(PQgetvalue(result.get(), r, c),
                         static_cast<std::size_t>(PQgetlength(result.get(), r, c)));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  PgConnection connection_;
};

// Single-row mode: libpq hands over each row as it arrives instead of buffering the whole result.
// Every result is read up to the final null one even after an error, as libpq requires before
// the connection takes the next statement.
Status PostgresConnection::for_each_row(std::string_view sql, const std::vector<SqlValue>& params,
                                        const SqlRowVisitor& visit) {
  if (PQstatus(connection_.get()) == CONNECTION_BAD) PQreset(connection_.get());
  const PgStatement statement(sql, params);
  if (PQsendQueryParams(connection_.get(), statement.text.c_str(), statement.count(), nullptr,
                        statement.values.data(), nullptr, nullptr, 0) != 1)
    return failure(sql);
  (void)PQsetSingleRowMode(connection_.get());  // refused: the whole result comes at once
  Status outcome = Ok{};
  while (PgResult result{PQgetResult(connection_.get())}) {
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_SINGLE_TUPLE && status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      if (outcome) outcome = failure(sql);
      continue;
    }
    for (int row = 0; outcome && visit && row < PQntuples(result.get()); ++row)
      outcome = visit(PgRowView(result.get(), row));
  }
  return outcome;
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> open_postgres(const std::string& conninfo) {
  PgConnection connection(PQconnectdb(conninfo.c_str()));
  if (!connection) return Error{"postgresql: out of memory"};
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection.get());
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Error{"postgresql: cannot connect: " + message};
  }
  auto result = std::make_unique<PostgresConnection>(std::move(connection));
  // Quiet the NOTICE lines of CREATE TABLE IF NOT EXISTS on stderr.
  if (auto quiet = result->execute("SET client_min_messages TO warning", {}); !quiet)
    return Error{quiet.error()};
  return std::unique_ptr<SqlConnection>(std::move(result));
}

}  // namespace authmilter::report
