// record_store_test.cpp - the record store on SQLite and on a private PostgreSQL.
#include "report/record_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <thread>

#include "postgres_support.h"
#include "record_fixtures.h"
#include "report/record_codec.h"

namespace authmilter::report {
namespace {

using testing::sample_record;

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kDay1 = 1'700'006'400;  // a UTC midnight

std::string temp_directory() {
  char pattern[] = "/tmp/authmilter-store-XXXXXX";
  const char* made = mkdtemp(pattern);
  return made == nullptr ? "/tmp" : made;
}

class RecordStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      directory_ = temp_directory();
      options_.url = "sqlite://" + directory_ + "/records.db";
    } else {
      auto url = testing::fresh_postgres_database();
      ASSERT_TRUE(url.ok()) << url.error();
      options_.url = *url;
    }
    auto opened = open_store(options_);
    ASSERT_TRUE(opened.ok()) << opened.error();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }

  std::int64_t total(const ReportSlot& slot) {
    auto rows = store_->rows(slot, RowScope::unreported);
    EXPECT_TRUE(rows.ok()) << rows.error();
    std::int64_t sum = 0;
    if (rows.ok())
      for (const auto& row : *rows) sum += row.count;
    return sum;
  }

  std::string directory_;
  StoreOptions options_;
  std::unique_ptr<RecordStore> store_;
};

TEST_P(RecordStoreTest, IdenticalMessagesAreCountedAndFieldsRoundTrip) {
  const auto record = sample_record(kDay1 + 10, "example.com", 5);
  ASSERT_TRUE(store_->append(record).ok());
  ASSERT_TRUE(store_->append(sample_record(kDay1 + 20, "example.com", 5)).ok());
  ASSERT_TRUE(store_->append(sample_record(kDay1 + 30, "example.com", 6)).ok());
  auto rows = store_->rows({"example.com", kDay1, kDay1 + kDay}, RowScope::unreported);
  ASSERT_TRUE(rows.ok()) << rows.error();
  ASSERT_EQ(rows->size(), 2u);
  const auto& counted = (*rows)[0].count == 2 ? (*rows)[0] : (*rows)[1];
  EXPECT_EQ(counted.count, 2);
  ReportRecord expected = record;
  expected.time = 0;
  expected.queue_id.clear();
  EXPECT_EQ(counted.record, expected);
  EXPECT_EQ(counted.policy_key, policy_key(record.policy));
}

TEST_P(RecordStoreTest, OnlyClosedIntervalsArePending) {
  ASSERT_TRUE(store_->append(sample_record(kDay1 + 5, "a.example", 0)).ok());
  ASSERT_TRUE(store_->append(sample_record(kDay1 + kDay + 5, "a.example", 0)).ok());
  ASSERT_TRUE(store_->append(sample_record(kDay1 + 7, "b.example", 0)).ok());
  SlotQuery query;
  query.until = kDay1 + kDay + 100;  // the second day is still open
  auto slots = store_->pending_slots(query);
  ASSERT_TRUE(slots.ok()) << slots.error();
  const std::vector<ReportSlot> expected = {{"a.example", kDay1, kDay1 + kDay},
                                            {"b.example", kDay1, kDay1 + kDay}};
  EXPECT_EQ(*slots, expected);
  query.domain = "b.example";
  slots = store_->pending_slots(query);
  ASSERT_TRUE(slots.ok());
  ASSERT_EQ(slots->size(), 1u);
  EXPECT_EQ(slots->front().policy_domain, "b.example");
  query.domain.clear();
  query.since = kDay1 + kDay;
  query.until = kDay1 + 3 * kDay;
  slots = store_->pending_slots(query);
  ASSERT_TRUE(slots.ok());
  ASSERT_EQ(slots->size(), 1u);
  EXPECT_EQ(slots->front().begin, kDay1 + kDay);
}

// claim() takes what is committed; mark_reported() marks one claim's rows of one policy and
// nothing committed after the claim, whatever its id.
TEST_P(RecordStoreTest, MarkedRowsLeaveTheReportAndArePrunedAfterRetention) {
  const auto record = sample_record(kDay1 + 5, "a.example", 0);
  auto other_policy = sample_record(kDay1 + 6, "a.example", 0);
  other_policy.policy.p = "none";
  ASSERT_TRUE(store_->append(record).ok());
  ASSERT_TRUE(store_->append(other_policy).ok());
  const ReportSlot slot{"a.example", kDay1, kDay1 + kDay};
  auto rows = store_->rows(slot, RowScope::claimed);
  ASSERT_TRUE(rows.ok()) << rows.error();
  EXPECT_TRUE(rows->empty());  // nothing claimed yet
  ASSERT_TRUE(testing::claim_slot(*store_, slot).ok());
  rows = store_->rows(slot, RowScope::claimed);
  ASSERT_TRUE(rows.ok()) << rows.error();
  ASSERT_EQ(rows->size(), 2u);
  const std::int64_t claim = (*rows)[0].claim;
  EXPECT_GT(claim, 0);
  EXPECT_EQ((*rows)[1].claim, claim);  // one claim per call, over every policy of the slot
  // A row of the same slot and policy committed after the claim: not marked unseen.
  ASSERT_TRUE(store_->append(sample_record(kDay1 + 7, "a.example", 0)).ok());
  ASSERT_TRUE(store_->mark_reported(slot, policy_key(record.policy), claim).ok());
  EXPECT_EQ(total(slot), 2);  // the other policy's row and the late one are still pending
  rows = store_->rows(slot, RowScope::claimed);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].policy_key, policy_key(other_policy.policy));
  ASSERT_TRUE(testing::claim_slot(*store_, slot).ok());
  rows = store_->rows(slot, RowScope::claimed);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  std::int64_t late_claim = 0;
  for (const auto& row : *rows) {
    EXPECT_GT(row.first_id, 0);
    EXPECT_LE(row.first_id, row.last_id);
    if (row.policy_key == policy_key(record.policy)) late_claim = row.claim;
  }
  EXPECT_GT(late_claim, claim);
  ASSERT_TRUE(store_->mark_reported(slot, policy_key(record.policy), late_claim).ok());
  ASSERT_TRUE(store_->mark_reported(slot, policy_key(other_policy.policy), late_claim).ok());
  EXPECT_EQ(total(slot), 1);  // the other policy's row is in the first claim, not the late one
  ASSERT_TRUE(store_->append(sample_record(kDay1 + kDay + 5, "a.example", 0)).ok());
  auto pruned = store_->prune(kDay1);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->reported + pruned->unreported, 0);  // not old enough
  pruned = store_->prune(kDay1 + kDay);
  ASSERT_TRUE(pruned.ok()) << pruned.error();
  // The never-reported row is past the retention too: it goes, counted apart, instead of being
  // rebuilt into a report on every run for ever.
  EXPECT_EQ(pruned->reported, 2);
  EXPECT_EQ(pruned->unreported, 1);
  EXPECT_EQ(total(slot), 0);
  EXPECT_EQ(total({"a.example", kDay1 + kDay, kDay1 + 2 * kDay}), 1);  // younger: kept
}

// A claim whose run died (the store closed without marking) is read again whole by the next
// opener, and a new claim takes only the rows committed since: the old claim never grows.
TEST_P(RecordStoreTest, AClaimOutlivesItsRunAndNeverGrows) {
  const ReportSlot slot{"c.example", kDay1, kDay1 + kDay};
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(store_->append(sample_record(kDay1 + i, "c.example", 0)).ok());
  ASSERT_TRUE(testing::claim_slot(*store_, slot).ok());
  auto before = store_->rows(slot, RowScope::claimed);
  ASSERT_TRUE(before.ok()) << before.error();
  ASSERT_EQ(before->size(), 1u);
  store_.reset();
  auto reopened = open_store(options_);
  ASSERT_TRUE(reopened.ok()) << reopened.error();
  store_ = std::move(*reopened);
  ASSERT_TRUE(store_->append(sample_record(kDay1 + 9, "c.example", 0)).ok());
  auto unclaimed = store_->rows(slot, RowScope::unreported);
  ASSERT_TRUE(unclaimed.ok());
  ASSERT_EQ(unclaimed->size(), 2u);  // the dry run's view: the claim, and the new row unclaimed
  EXPECT_EQ((*unclaimed)[0].claim, 0);
  ASSERT_TRUE(testing::claim_slot(*store_, slot).ok());
  auto after = store_->rows(slot, RowScope::claimed);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 2u);
  const auto& old_claim = (*after)[0];
  EXPECT_EQ(old_claim.claim, (*before)[0].claim);
  EXPECT_EQ(old_claim.count, 3);
  EXPECT_EQ(old_claim.first_id, (*before)[0].first_id);
  EXPECT_EQ(old_claim.last_id, (*before)[0].last_id);
  EXPECT_EQ((*after)[1].count, 1);
  EXPECT_GT((*after)[1].claim, old_claim.claim);
  for (const auto& row : *after)
    ASSERT_TRUE(store_->mark_reported(slot, row.policy_key, row.claim).ok());
  EXPECT_EQ(total(slot), 0);
}

TEST_P(RecordStoreTest, DeliveriesAreRemembered) {
  auto sent = store_->was_delivered("r1", "mailto:a@b.example");
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_FALSE(*sent);
  ASSERT_TRUE(store_->record_delivery("r1", "mailto:a@b.example", kDay1).ok());
  ASSERT_TRUE(store_->record_delivery("r1", "mailto:a@b.example", kDay1).ok());  // idempotent
  sent = store_->was_delivered("r1", "mailto:a@b.example");
  ASSERT_TRUE(sent.ok());
  EXPECT_TRUE(*sent);
  sent = store_->was_delivered("r1", "mailto:other@b.example");
  ASSERT_TRUE(sent.ok());
  EXPECT_FALSE(*sent);
}

TEST_P(RecordStoreTest, ConcurrentAppendsAreAllCommitted) {
  constexpr int kThreads = 8;
  constexpr int kAppends = 60;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i)
        if (!store_->append(sample_record(kDay1 + i, "load.example", t * kAppends + i)).ok())
          ++failures;
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(total({"load.example", kDay1, kDay1 + kDay}), kThreads * kAppends);
}

// 8-bit bytes from the wire (a selector, a MAIL FROM domain) and a character cut by the length
// bound: PostgreSQL would refuse the whole batch over one of them, so they are stored as valid
// UTF-8 and the row is kept.
TEST_P(RecordStoreTest, InvalidUtf8IsStoredAsValidText) {
  auto record = sample_record(kDay1, "u.example", 0);
  record.dkim.assign(1, {"d.example", "s\xff\xfe", "pass"});
  record.envelope_from =
      "b\xe4"
      "d.example";
  record.header_from =
      std::string(kMaxShortFieldLength - 1, 'a') + "\xc3\xa4";  // cut in the middle
  record.spf_domain = "gr\xc3\xbc\xc3\x9f.example";             // valid: kept
  ASSERT_TRUE(store_->append(record).ok());
  auto other = sample_record(kDay1, "u.example", 1);
  ASSERT_TRUE(store_->append(other).ok());
  auto rows = store_->rows({"u.example", kDay1, kDay1 + kDay}, RowScope::unreported);
  ASSERT_TRUE(rows.ok()) << rows.error();
  EXPECT_EQ(total({"u.example", kDay1, kDay1 + kDay}), 2);
  bool found = false;
  for (const auto& row : *rows) {
    if (row.record.dkim.empty() || row.record.dkim[0].domain != "d.example") continue;
    found = true;
    EXPECT_EQ(row.record.dkim[0].selector, "s??");
    EXPECT_EQ(row.record.envelope_from, "b?d.example");
    EXPECT_EQ(row.record.header_from, std::string(kMaxShortFieldLength - 1, 'a'));
    EXPECT_EQ(row.record.spf_domain, "gr\xc3\xbc\xc3\x9f.example");
  }
  EXPECT_TRUE(found);
}

TEST_P(RecordStoreTest, HostileFieldsAreBounded) {
  auto record = sample_record(kDay1, "x.example", 0);
  record.header_from = std::string(5000, 'a') + "\x1e\x1f\n";
  record.dkim.assign(100, {"d.example", "s\x1f", "pass"});
  ASSERT_TRUE(store_->append(record).ok());
  auto rows = store_->rows({"x.example", kDay1, kDay1 + kDay}, RowScope::unreported);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].record.header_from, std::string(kMaxShortFieldLength, 'a'));
  ASSERT_EQ((*rows)[0].record.dkim.size(), kMaxDkimPerRecord);
  EXPECT_EQ((*rows)[0].record.dkim[0].selector, "s");
}

class PostgresStoreTest : public RecordStoreTest {};

TEST_P(PostgresStoreTest, RecoversFromALostDatabaseConnection) {
  ASSERT_TRUE(store_->append(sample_record(kDay1, "a.example", 0)).ok());
  const std::string kill = "psql -q '" + options_.url +
                           "' -c 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE"
                           " datname = current_database() AND pid <> pg_backend_pid()'"
                           " >/dev/null";
  ASSERT_EQ(std::system(kill.c_str()), 0);
  (void)store_->append(sample_record(kDay1, "a.example", 1));  // may fail: it finds the loss
  ASSERT_TRUE(store_->append(sample_record(kDay1, "a.example", 2)).ok());
  EXPECT_GE(total({"a.example", kDay1, kDay1 + 86400}), 2);
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresStoreTest, ::testing::Values("postgresql"));
INSTANTIATE_TEST_SUITE_P(Backends, RecordStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

TEST(RecordStoreOpen, RejectsUnknownAndUnusableUrls) {
  StoreOptions options;
  options.url = "mysql://x";
  EXPECT_FALSE(open_store(options).ok());
  options.url = "sqlite://relative.db";
  EXPECT_FALSE(open_store(options).ok());
  options.url = "sqlite:///nonexistent-directory/x/records.db";
  auto opened = open_store(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().find("cannot open"), std::string::npos) << opened.error();
  options.url = "postgresql://nobody@127.0.0.1:1/none";
  EXPECT_FALSE(open_store(options).ok());
}

TEST(RecordStoreOpen, RefusesANewerSchema) {
  const std::string directory = temp_directory();
  StoreOptions options;
  options.url = "sqlite://" + directory + "/records.db";
  ASSERT_TRUE(open_store(options).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((directory + "/records.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_version VALUES (99)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto opened = open_store(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().find("newer"), std::string::npos) << opened.error();
  std::filesystem::remove_all(directory);
}

TEST(RecordStoreOpen, AnUnwritableStoreFailsTheAppend) {
  const std::string directory = temp_directory();
  StoreOptions options;
  options.url = "sqlite://" + directory + "/records.db";
  auto opened = open_store(options);
  ASSERT_TRUE(opened.ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((directory + "/records.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE records", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_FALSE((*opened)->append(sample_record(kDay1, "a.example", 0)).ok());
  opened->reset();
  std::filesystem::remove_all(directory);
}

// A child appends from 4 threads and writes each committed queue id to a pipe; the parent kills
// it with SIGKILL mid-stream and then finds every acknowledged row in the database.
TEST(RecordStoreDurability, KillDashNineLosesNoAcknowledgedRow) {
  const std::string directory = temp_directory();
  StoreOptions options;
  options.url = "sqlite://" + directory + "/records.db";
  ASSERT_TRUE(open_store(options).ok());  // schema exists before the child starts
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    auto store = open_store(options);
    if (!store.ok()) _exit(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0;; ++i) {
          const int id = t * 1'000'000 + i;
          if (!(*store)->append(sample_record(kDay1, "kill.example", id)).ok()) _exit(3);
          const std::string line = std::to_string(id) + "\n";
          if (write(fds[1], line.data(), line.size()) < 0) _exit(4);
        }
      });
    for (auto& thread : threads) thread.join();
    _exit(0);
  }
  close(fds[1]);
  std::string acknowledged;
  char buffer[4096];
  while (acknowledged.size() < 20000) {
    const ssize_t got = read(fds[0], buffer, sizeof buffer);
    if (got <= 0) break;
    acknowledged.append(buffer, static_cast<std::size_t>(got));
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child ended on its own, status " << status;
  while (true) {
    const ssize_t got = read(fds[0], buffer, sizeof buffer);
    if (got <= 0) break;
    acknowledged.append(buffer, static_cast<std::size_t>(got));
  }
  close(fds[0]);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((directory + "/records.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM records WHERE queue_id = ?", -1,
                               &statement, nullptr),
            SQLITE_OK);
  std::size_t checked = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = acknowledged.find('\n', start);
    if (end == std::string::npos) break;  // a partial last line was never acknowledged
    const std::string queue_id = "Q" + acknowledged.substr(start, end - start);
    start = end + 1;
    sqlite3_reset(statement);
    sqlite3_bind_text(statement, 1, queue_id.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
    ASSERT_EQ(sqlite3_column_int(statement, 0), 1) << queue_id << " was acknowledged but is lost";
    ++checked;
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  EXPECT_GT(checked, 100u);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace authmilter::report
