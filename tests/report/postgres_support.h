// postgres_support.h - a private PostgreSQL 15 on loopback for the store tests.
//
// The cluster is UTF8, as a packaged PostgreSQL's usually is: it refuses invalid UTF-8, which a
// SQL_ASCII test cluster would hide.
// start() runs initdb and pg_ctl as the postgres user in a fresh temporary directory on a free
// port, and returns a postgresql:// URL, or an error saying what failed (the tests then fail, they
// do not skip). stop() (also the destructor) shuts it down and removes the directory.
// fresh_postgres_database() - a new empty database on one PrivatePostgres per test program,
// started on first use: tests stay independent without an initdb each.
#pragma once

#include <string>

#include "common/result.h"

namespace authmilter::report::testing {

class PrivatePostgres {
 public:
  PrivatePostgres() = default;
  ~PrivatePostgres();
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  Result<std::string> start();
  void stop();

 private:
  std::string directory_;
  bool running_ = false;
};

Result<std::string> fresh_postgres_database();

}  // namespace authmilter::report::testing
