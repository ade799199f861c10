// store_url.h - which database a store URL names (store.url in the YAML, --store of the tools).
//
// "sqlite:///absolute/path" is the embedded SQLite file at that path; "postgresql://..." and
// "postgres://..." are libpq URIs, passed on whole. Anything else is an error naming the forms
// accepted. One parse for the daemon's store (open_store) and the read-only history reader.
#pragma once

#include <string>

#include "common/result.h"

namespace authmilter::report {

struct StoreLocation {
  enum class Kind { sqlite, postgresql };
  Kind kind = Kind::sqlite;
  std::string target;  // the SQLite file's path, or the whole PostgreSQL URI
};

Result<StoreLocation> parse_store_url(const std::string& url);

}  // namespace authmilter::report
