// Which database a store URL names (policy/report/store_url.h), and the errors for what is not
// one: the daemon's store and the history reader both read URLs through it.
#include "report/store_url.h"

#include <gtest/gtest.h>

namespace authmilter::report {
namespace {

TEST(StoreUrl, SqliteNamesAnAbsolutePath) {
  const auto location = parse_store_url("sqlite:///var/lib/authmilter/records.db");
  ASSERT_TRUE(location.ok()) << location.error();
  EXPECT_EQ(location->kind, StoreLocation::Kind::sqlite);
  EXPECT_EQ(location->target, "/var/lib/authmilter/records.db");
}

TEST(StoreUrl, PostgresqlUrisArePassedOnWhole) {
  for (const std::string url : {"postgresql://authmilter@db.example/reports?sslmode=require",
                                "postgres://localhost/reports"}) {
    const auto location = parse_store_url(url);
    ASSERT_TRUE(location.ok()) << url << ": " << location.error();
    EXPECT_EQ(location->kind, StoreLocation::Kind::postgresql);
    EXPECT_EQ(location->target, url);
  }
}

TEST(StoreUrl, ARelativeOrEmptySqlitePathIsRefused) {
  for (const std::string url : {"sqlite://records.db", "sqlite://"}) {
    const auto location = parse_store_url(url);
    ASSERT_FALSE(location.ok()) << url;
    EXPECT_EQ(location.error(), "store: '" + url + "': expected sqlite:///absolute/path");
  }
}

TEST(StoreUrl, AnotherSchemeIsRefusedNamingTheFormsAccepted) {
  for (const std::string url : {"mysql://localhost/reports", "/var/lib/records.db", ""}) {
    const auto location = parse_store_url(url);
    ASSERT_FALSE(location.ok()) << url;
    EXPECT_EQ(location.error(), "store: '" + url + "': expected a sqlite:/// or postgresql:// URL");
  }
}

}  // namespace
}  // namespace authmilter::report
