// history_reader.cpp - read-only access to the recorded messages; see history_reader.h.
#include "report/history_reader.h"

#include "report/record_codec.h"
#include "report/schema.h"
#include "report/store_url.h"

namespace authmilter::report {

namespace {

constexpr const char* kBaseColumns =
    "time, source_ip, header_from, spf_domain, spf_result, dkim, policy_domain, p, sp, np, pct,"
    " testing, disposition, dmarc_result, overrides, queue_id";
constexpr std::size_t kBaseColumnCount = 16;
constexpr const char* kFactColumns =
    ", author_verdict, author_domains, dmarc_code, published_disposition, requested_disposition,"
    " list_headers, arc_result, arc_sealer, arc_sealers";
// A version 1 store has none of them: the same shape, all NULL.
constexpr const char* kNoFactColumns = ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL";
constexpr std::size_t kColumnCount = kBaseColumnCount + 9;

void read_facts(const SqlRowView& row, ReportRecord& record) {
  std::size_t c = kBaseColumnCount;
  const std::string_view verdict = row.column(c);
  if (verdict.empty()) {  // NULL (before version 2) or written without facts
    record.facts.reset();
    return;
  }
  DecisionFacts& facts = record.facts ? *record.facts : record.facts.emplace();
  facts.author_verdict = verdict;
  facts.author_domains = decode_domains(row.column(++c));
  facts.dmarc_code = row.column(++c);
  facts.published = row.column(++c);
  facts.requested = row.column(++c);
  facts.list_headers = row.integer(++c) != 0;
  facts.arc_result = row.column(++c);
  facts.arc_sealer = row.column(++c);
  facts.arc_sealers = decode_arc_sealers(row.column(++c));
}

Status read_row(const SqlRowView& row, ReportRecord& record) {
  if (row.size() != kColumnCount) return Error{"store: unexpected column count"};
  std::size_t c = 0;
  record.time = row.integer(c);
  record.source_ip = row.column(++c);
  record.header_from = row.column(++c);
  record.spf_domain = row.column(++c);
  record.spf_result = row.column(++c);
  record.dkim = decode_dkim(row.column(++c));
  record.policy.domain = row.column(++c);
  record.policy.p = row.column(++c);
  record.policy.sp = row.column(++c);
  record.policy.np = row.column(++c);
  record.policy.pct = static_cast<int>(row.integer(++c));
  record.policy.testing = row.integer(++c) != 0;
  record.disposition = row.column(++c);
  record.dmarc_result = row.column(++c);
  record.overrides = decode_overrides(row.column(++c));
  record.queue_id = row.column(++c);
  read_facts(row, record);
  return Ok{};
}

}  // namespace

HistoryReader::HistoryReader(std::unique_ptr<SqlConnection> connection, int schema_version)
    : connection_(std::move(connection)), schema_version_(schema_version) {}

Status HistoryReader::for_each_record(const HistoryWindow& window, const RecordVisitor& visit) {
  const std::string sql = std::string("SELECT ") + kBaseColumns +
                          (schema_version_ >= 2 ? kFactColumns : kNoFactColumns) +
                          " FROM records WHERE time >= ? AND time < ? ORDER BY time, id";
  ReportRecord record;
  return connection_->for_each_row(sql, {window.since, window.until},
                                   [&](const SqlRowView& row) -> Status {
                                     if (auto read = read_row(row, record); !read) return read;
                                     return visit(record);
                                   });
}

Result<std::unique_ptr<HistoryReader>> open_history(const std::string& url) {
  const Result<StoreLocation> location = parse_store_url(url);
  if (!location) return Error{location.error()};
  Result<std::unique_ptr<SqlConnection>> connection = Error{""};
  if (location->kind == StoreLocation::Kind::sqlite) {
    connection = open_sqlite_read_only(location->target);
  } else {
    connection = open_postgres(location->target);
    // Every later statement runs in a read-only transaction: a write would be refused.
    if (connection) {
      if (auto read_only =
              (*connection)->execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", {});
          !read_only)
        return Error{read_only.error()};
    }
  }
  if (!connection) return Error{connection.error()};
  auto version = schema_version(**connection);
  if (!version) return Error{"store: " + url + " is not an authmilter store: " + version.error()};
  if (*version < 1) return Error{"store: " + url + " has no records table yet"};
  if (*version > kSchemaVersion)
    return Error{"store: schema version " + std::to_string(*version) +
                 " is newer than this program's " + std::to_string(kSchemaVersion)};
  return std::make_unique<HistoryReader>(std::move(*connection), *version);
}

}  // namespace authmilter::report
