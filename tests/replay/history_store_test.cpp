// The store side of --history, on SQLite and PostgreSQL: a version 1 store (as an older daemon
// left it) is read without being changed, then migrated with its old rows still readable and
// reportable; odd rows are counted as unreadable; a store that cannot be opened is a clear error.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "postgres_support.h"
#include "replay/history_summary.h"
#include "replay/recorded_decision.h"
#include "report/history_reader.h"
#include "report/record_store.h"
#include "report/schema.h"
#include "report/sql_connection.h"

namespace authmilter::replay {
namespace {

using report::ReportRecord;

constexpr std::int64_t kDay1 = 1'700'006'400;  // a UTC midnight

report::testing::PrivatePostgres& postgres() {
  static report::testing::PrivatePostgres server;
  return server;
}

const Result<std::string>& postgres_url() {
  static const Result<std::string> url = postgres().start();
  return url;
}

std::string temp_dir() {
  char pattern[] = "/tmp/authmilter-history-XXXXXX";
  const char* made = mkdtemp(pattern);
  return made == nullptr ? "/tmp" : made;
}

// The version 1 schema exactly as released (schema.cpp version_1), so that the migration is
// tested from what an older daemon really left behind.
std::vector<std::string> version_1_schema(bool sqlite) {
  const std::string id = sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  return {
      "CREATE TABLE schema_version (version BIGINT NOT NULL)",
      "INSERT INTO schema_version (version) VALUES (1)",
      "CREATE TABLE records (id " + id +
          ", time BIGINT NOT NULL, policy_domain TEXT NOT NULL, policy_key TEXT NOT NULL,"
          " source_ip TEXT NOT NULL, header_from TEXT NOT NULL, envelope_from TEXT NOT NULL,"
          " envelope_to TEXT NOT NULL, spf_domain TEXT NOT NULL, spf_scope TEXT NOT NULL,"
          " spf_result TEXT NOT NULL, dkim TEXT NOT NULL, p TEXT NOT NULL, sp TEXT NOT NULL,"
          " np TEXT NOT NULL, psd TEXT NOT NULL, testing BIGINT NOT NULL, adkim TEXT NOT NULL,"
          " aspf TEXT NOT NULL, pct BIGINT NOT NULL, fo TEXT NOT NULL, discovery TEXT NOT NULL,"
          " rua TEXT NOT NULL, disposition TEXT NOT NULL, dmarc_result TEXT NOT NULL,"
          " dkim_aligned TEXT NOT NULL, spf_aligned TEXT NOT NULL, overrides TEXT NOT NULL,"
          " queue_id TEXT NOT NULL, reported BIGINT NOT NULL DEFAULT 0)",
      "CREATE INDEX records_pending ON records (reported, policy_domain, time)",
      "CREATE INDEX records_time ON records (time)",
      "CREATE TABLE deliveries (report_id TEXT NOT NULL, destination TEXT NOT NULL,"
      " sent_at BIGINT NOT NULL, PRIMARY KEY (report_id, destination))",
  };
}

std::string old_row(std::int64_t time, const char* dmarc_result, const char* disposition) {
  return "INSERT INTO records (time, policy_domain, policy_key, source_ip, header_from,"
         " envelope_from, envelope_to, spf_domain, spf_scope, spf_result, dkim, p, sp, np, psd,"
         " testing, adkim, aspf, pct, fo, discovery, rua, disposition, dmarc_result,"
         " dkim_aligned, spf_aligned, overrides, queue_id) VALUES (" +
         std::to_string(time) +
         ", 'old.example', 'k', '192.0.2.1', 'old.example', 'old.example', 'example.net',"
         " 'old.example', 'mfrom', 'fail', '', 'reject', '', '', 'u', 0, 'r', 'r', 100, '0',"
         " 'treewalk', '', '" +
         disposition + "', '" + dmarc_result + "', 'fail', 'fail', '', 'OLD1')";
}

ReportRecord new_record(std::int64_t time) {
  ReportRecord record;
  record.time = time;
  record.source_ip = "203.0.113.5";
  record.header_from = "new.example";
  record.spf_domain = "elsewhere.test";
  record.spf_result = "pass";
  record.policy.domain = "new.example";
  record.policy.p = "reject";
  record.disposition = "reject";
  record.dmarc_result = "fail";
  record.queue_id = "NEW1";
  record.facts = report::DecisionFacts{};
  record.facts->dmarc_code = "fail";
  record.facts->published = "reject";
  record.facts->requested = "reject";
  record.facts->author_domains = {"new.example"};
  return record;
}

class HistoryStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      directory_ = temp_dir();
      url_ = "sqlite://" + directory_ + "/records.db";
      auto opened = report::open_sqlite(directory_ + "/records.db", false);
      ASSERT_TRUE(opened.ok()) << opened.error();
      raw_ = std::move(*opened);
    } else {
      const auto& url = postgres_url();
      ASSERT_TRUE(url.ok()) << "cannot start PostgreSQL: " << url.error();
      static int counter = 0;
      const std::string name = "h" + std::to_string(getpid()) + "_" + std::to_string(++counter);
      const std::string create = "psql -q '" + *url + "' -c 'CREATE DATABASE " + name + "'";
      ASSERT_EQ(std::system(create.c_str()), 0);
      url_ = url->substr(0, url->rfind('/') + 1) + name;
      auto opened = report::open_postgres(url_);
      ASSERT_TRUE(opened.ok()) << opened.error();
      raw_ = std::move(*opened);
    }
  }
  void TearDown() override {
    raw_.reset();
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }

  void make_version_1_store() {
    for (const auto& statement : version_1_schema(GetParam() == "sqlite"))
      ASSERT_TRUE(raw_->execute(statement, {}).ok()) << statement;
    ASSERT_TRUE(raw_->execute(old_row(kDay1 + 10, "pass", "none"), {}).ok());
    ASSERT_TRUE(raw_->execute(old_row(kDay1 + 20, "fail", "reject"), {}).ok());
  }

  HistorySummary replay_all(const decision::LocalPolicy& candidate, int* schema = nullptr) {
    HistoryReplay replay(candidate);
    auto reader = report::open_history(url_);
    EXPECT_TRUE(reader.ok()) << reader.error();
    if (!reader) return {};
    if (schema != nullptr) *schema = (*reader)->schema_version();
    EXPECT_TRUE((*reader)
                    ->for_each_record({kDay1, kDay1 + 86400},
                                      [&replay](const ReportRecord& record) -> Status {
                                        replay.add(record);
                                        return Ok{};
                                      })
                    .ok());
    return replay.finish(10);
  }

  std::string directory_;
  std::string url_;
  std::unique_ptr<report::SqlConnection> raw_;
};

TEST_P(HistoryStoreTest, AVersion1StoreIsReadUnchangedThenMigratedWithOldRowsUsable) {
  make_version_1_store();
  int schema = 0;
  auto before = replay_all({}, &schema);
  EXPECT_EQ(schema, 1);
  EXPECT_EQ(before.records, 2);
  EXPECT_EQ(before.judged, 1);  // the old dmarc=pass row: delivered under any policy
  EXPECT_EQ(before.not_judged_before_facts, 1);
  auto version = report::schema_version(*raw_);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1) << "reading must not migrate";

  report::StoreOptions options;
  options.url = url_;
  auto store = report::open_store(options);  // the upgraded daemon starts: the newest version
  ASSERT_TRUE(store.ok()) << store.error();
  ASSERT_TRUE((*store)->append(new_record(kDay1 + 30)).ok());
  decision::LocalPolicy never;
  never.reject = decision::RejectMode::never;
  auto after = replay_all(never, &schema);
  EXPECT_EQ(schema, report::kSchemaVersion);
  EXPECT_EQ(after.records, 3);
  EXPECT_EQ(after.judged, 2);
  EXPECT_EQ(after.not_judged_before_facts, 1);
  EXPECT_EQ(after.table[2][1], 1);  // the new row: reject -> quarantine under reject: never
  // The old rows are still reported: claimed (version 4) and read as a run reads them.
  const report::ReportSlot slot{"old.example", kDay1, kDay1 + 86400};
  report::SlotQuery query;
  query.until = slot.end;
  query.domain = slot.policy_domain;
  auto claimed = (*store)->claim(query);
  ASSERT_TRUE(claimed.ok()) << claimed.error();
  ASSERT_EQ(claimed->slots, std::vector<report::ReportSlot>{slot});
  auto rows = (*store)->rows(slot, report::RowScope::claimed);
  ASSERT_TRUE(rows.ok()) << rows.error();
  std::int64_t reported = 0;
  for (const auto& row : *rows) reported += row.count;
  EXPECT_EQ(reported, 2);
}

TEST_P(HistoryStoreTest, OddRowsAreCountedUnreadableNotFatal) {
  report::StoreOptions options;
  options.url = url_;
  auto store = report::open_store(options);
  ASSERT_TRUE(store.ok()) << store.error();
  ASSERT_TRUE((*store)->append(new_record(kDay1 + 1)).ok());
  auto bad_code = new_record(kDay1 + 2);
  bad_code.facts->dmarc_code = "bogus";
  auto bad_ip = new_record(kDay1 + 3);
  bad_ip.source_ip = "not-an-address";
  auto bad_disposition = new_record(kDay1 + 4);
  bad_disposition.disposition = "maybe";
  auto bad_verdict = new_record(kDay1 + 5);
  bad_verdict.facts->author_verdict = "perhaps";
  for (const auto& record : {bad_code, bad_ip, bad_disposition, bad_verdict})
    ASSERT_TRUE((*store)->append(record).ok());
  // A garbled ARC sealer list decodes to fewer entries, never to a crash.
  ASSERT_TRUE(raw_->execute("UPDATE records SET arc_sealers = ? WHERE time = ?",
                            {std::string("x\x1fy\x1e\x1f\x1f\x1f"), kDay1 + 1})
                  .ok());
  const auto summary = replay_all({});
  EXPECT_EQ(summary.records, 5);
  EXPECT_EQ(summary.judged, 1);
  EXPECT_EQ(summary.unreadable, 4);
  ASSERT_EQ(summary.unreadable_examples.size(), 4u);
  EXPECT_NE(summary.unreadable_examples[0].find("dmarc result 'bogus'"), std::string::npos);
  EXPECT_NE(summary.unreadable_examples[1].find("client address"), std::string::npos);
  EXPECT_NE(summary.unreadable_examples[2].find("disposition 'maybe'"), std::string::npos);
  EXPECT_NE(summary.unreadable_examples[3].find("author verdict"), std::string::npos);
}

TEST_P(HistoryStoreTest, ADatabaseWithoutOurTablesIsNotAStore) {
  ASSERT_TRUE(raw_->execute("CREATE TABLE unrelated (x BIGINT)", {}).ok());
  auto reader = report::open_history(url_);
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.error().find("is not an authmilter store"), std::string::npos) << reader.error();
}

INSTANTIATE_TEST_SUITE_P(Backends, HistoryStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& backend) { return backend.param; });

TEST(HistoryStore, AMissingSqliteFileIsAnErrorAndIsNotCreated) {
  const std::string dir = temp_dir();
  auto reader = report::open_history("sqlite://" + dir + "/absent.db");
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.error().find("cannot open"), std::string::npos) << reader.error();
  EXPECT_FALSE(std::filesystem::exists(dir + "/absent.db"));
  std::filesystem::remove_all(dir);
}

TEST(HistoryStore, AFileThatIsNotADatabaseIsAClearError) {
  const std::string dir = temp_dir();
  std::ofstream(dir + "/garbage.db") << "this is not an SQLite database, just text\n";
  auto reader = report::open_history("sqlite://" + dir + "/garbage.db");
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.error().find("not an authmilter store"), std::string::npos) << reader.error();
  std::filesystem::remove_all(dir);
}

TEST(HistoryStore, TheSqliteConnectionIsReadOnly) {
  const std::string dir = temp_dir();
  report::StoreOptions options;
  options.url = "sqlite://" + dir + "/records.db";
  ASSERT_TRUE(report::open_store(options).ok());
  auto connection = report::open_sqlite_read_only(dir + "/records.db");
  ASSERT_TRUE(connection.ok()) << connection.error();
  EXPECT_FALSE((*connection)->execute("DELETE FROM records", {}).ok());
  std::filesystem::remove_all(dir);
}

TEST(HistoryStore, ABadUrlIsAClearError) {
  auto reader = report::open_history("mysql://db/x");
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.error().find("expected a sqlite:/// or postgresql:// URL"), std::string::npos);
}

}  // namespace
}  // namespace authmilter::replay
