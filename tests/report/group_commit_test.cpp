// GroupCommitter: every record committed exactly once, in batches under load, each submitter
// told its own batch's result, and no hand-off to another thread when nothing else is queued.
#include "report/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace authmilter::report {
namespace {

using namespace std::chrono_literals;

ReportRecord numbered(int n) {
  ReportRecord record;
  record.header_from = "n" + std::to_string(n) + ".example";
  return record;
}

// Records every commit call: which thread ran it and the records it got.
struct CommitLog {
  std::mutex mutex;
  std::vector<std::vector<std::string>> batches;
  std::vector<std::thread::id> threads;
  std::chrono::milliseconds delay{0};

  Status commit(const std::vector<const ReportRecord*>& records) {
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    std::lock_guard lock(mutex);
    threads.push_back(std::this_thread::get_id());
    auto& names = batches.emplace_back();
    for (const auto* record : records) names.push_back(record->header_from);
    return Ok{};
  }
};

TEST(GroupCommit, ALoneSubmitCommitsOnTheCallersThreadAtOnce) {
  CommitLog log;
  GroupCommitter committer([&](const auto& records) { return log.commit(records); });
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(committer.submit(numbered(i)).ok());
  ASSERT_EQ(log.batches.size(), 3U);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(log.threads[i], std::this_thread::get_id());
    EXPECT_EQ(log.batches[i], std::vector<std::string>{"n" + std::to_string(i) + ".example"});
  }
}

TEST(GroupCommit, ConcurrentSubmitsAreCommittedOnceEachAndGathered) {
  constexpr int kThreads = 16;
  constexpr int kEach = 40;
  CommitLog log;
  log.delay = 2ms;  // a slow fsync: submitters pile up behind it
  std::atomic<int> failures{0};
  {
    GroupCommitter committer([&](const auto& records) { return log.commit(records); });
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i)
          if (!committer.submit(numbered(t * kEach + i)).ok()) ++failures;
      });
    for (auto& thread : threads) thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
  std::multiset<std::string> seen;
  std::size_t largest = 0;
  for (const auto& batch : log.batches) {
    seen.insert(batch.begin(), batch.end());
    largest = std::max(largest, batch.size());
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kEach));
  for (int n = 0; n < kThreads * kEach; ++n)
    EXPECT_EQ(seen.count("n" + std::to_string(n) + ".example"), 1U) << n;
  EXPECT_LT(log.batches.size(), static_cast<std::size_t>(kThreads * kEach));  // some gathered
  EXPECT_GT(largest, 1U);
  EXPECT_LE(largest, kMaxBatchSize);
}

// A failed commit reaches exactly the submitters whose records were in that batch.
TEST(GroupCommit, EachSubmitterGetsItsOwnBatchsResult) {
  constexpr int kThreads = 12;
  constexpr int kEach = 25;
  std::mutex mutex;
  std::map<std::string, bool> committed_ok;  // record -> the status its batch returned
  int calls = 0;
  std::map<std::string, bool> told;
  {
    GroupCommitter committer([&](const std::vector<const ReportRecord*>& records) -> Status {
      std::this_thread::sleep_for(1ms);
      std::lock_guard lock(mutex);
      const bool ok = ++calls % 3 != 0;  // every third transaction fails
      for (const auto* record : records) committed_ok[record->header_from] = ok;
      if (!ok) return Error{"disk full"};
      return Ok{};
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          const ReportRecord record = numbered(t * kEach + i);
          const bool ok = committer.submit(record).ok();
          std::lock_guard lock(mutex);
          told[record.header_from] = ok;
        }
      });
    for (auto& thread : threads) thread.join();
  }
  ASSERT_EQ(told.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(told, committed_ok);
  EXPECT_GE(calls, 3);
}

TEST(GroupCommit, ACommitThatThrowsIsAnErrorNotACrash) {
  GroupCommitter committer(
      [](const std::vector<const ReportRecord*>&) -> Status { throw std::runtime_error("boom"); });
  const Status status = committer.submit(numbered(1));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().find("boom"), std::string::npos);
  EXPECT_TRUE(!committer.submit(numbered(2)).ok());  // and the next one still gets an answer
}

// Closing the store waits for the batch in flight: its record is committed and its submitter
// told so, never cut off.
TEST(GroupCommit, ClosingWaitsForTheBatchInFlight) {
  std::atomic<bool> in_commit{false};
  std::atomic<int> rows{0};
  auto committer = std::make_unique<GroupCommitter>(
      [&](const std::vector<const ReportRecord*>& records) -> Status {
        in_commit = true;
        std::this_thread::sleep_for(100ms);
        rows += static_cast<int>(records.size());
        return Ok{};
      });
  std::atomic<bool> told_ok{false};
  std::thread submitter([&] { told_ok = committer->submit(numbered(1)).ok(); });
  while (!in_commit) std::this_thread::sleep_for(1ms);
  committer.reset();  // blocks until the commit above has returned
  EXPECT_EQ(rows.load(), 1);
  submitter.join();
  EXPECT_TRUE(told_ok.load());
}

}  // namespace
}  // namespace authmilter::report
