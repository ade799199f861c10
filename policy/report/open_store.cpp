// open_store.cpp - store URL -> connection -> migrated schema -> RecordStore.
#include "report/record_store.h"
#include "report/schema.h"
#include "report/sql_record_store.h"

namespace authmilter::report {

Result<std::unique_ptr<RecordStore>> open_store(const StoreOptions& options) {
  const std::string& url = options.url;
  Result<std::unique_ptr<SqlConnection>> connection = Error{""};
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.starts_with(kSqlite)) {
    const std::string path = url.substr(kSqlite.size());
    if (path.empty() || path.front() != '/')
      return Error{"store: '" + url + "': expected sqlite:///absolute/path"};
    connection = open_sqlite(path, options.sqlite_synchronous_full);
  } else if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    connection = open_postgres(url);
  } else {
    return Error{"store: '" + url + "': expected a sqlite:/// or postgresql:// URL"};
  }
  if (!connection) return Error{connection.error()};
  if (auto migrated = migrate_schema(**connection); !migrated) return Error{migrated.error()};
  return std::unique_ptr<RecordStore>(std::make_unique<SqlRecordStore>(std::move(*connection)));
}

}  // namespace authmilter::report
