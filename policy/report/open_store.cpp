// open_store.cpp - store URL -> connection -> migrated schema -> RecordStore.
#include "report/record_store.h"
#include "report/schema.h"
#include "report/sql_record_store.h"
#include "report/store_url.h"

namespace authmilter::report {

Result<std::unique_ptr<RecordStore>> open_store(const StoreOptions& options) {
  const Result<StoreLocation> location = parse_store_url(options.url);
  if (!location) return Error{location.error()};
  Result<std::unique_ptr<SqlConnection>> connection =
      location->kind == StoreLocation::Kind::sqlite
          ? open_sqlite(location->target, options.sqlite_synchronous_full)
          : open_postgres(location->target);
  if (!connection) return Error{connection.error()};
  if (auto migrated = migrate_schema(**connection); !migrated) return Error{migrated.error()};
  return std::unique_ptr<RecordStore>(
      std::make_unique<SqlRecordStore>(std::move(*connection), options.claim_lock_wait_ms));
}

}  // namespace authmilter::report
