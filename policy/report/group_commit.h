// group_commit.h - many threads append, one writer thread commits them in batches.
//
// submit() queues a record and blocks until the batch holding it was committed, returning that
// batch's Status; while one transaction runs, later submitters gather into the next batch, so
// under load one commit (one fsync) serves many messages. The commit function runs only on the
// writer thread. The destructor commits what is queued, then stops the thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.h"
#include "report/report_record.h"

namespace authmilter::report {

inline constexpr std::size_t kMaxBatchSize = 1024;  // our bound on rows per transaction

class GroupCommitter {
 public:
  using CommitBatch = std::function<Status(const std::vector<const ReportRecord*>&)>;

  explicit GroupCommitter(CommitBatch commit);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  Status submit(const ReportRecord& record);

 private:
  struct Waiter {
    const ReportRecord* record;
    bool done = false;
    Status status = Ok{};
  };

  void run();

  CommitBatch commit_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::condition_variable finished_;
  std::deque<Waiter*> queue_;
  bool stopping_ = false;
  std::thread writer_;  // last: starts after every other member exists
};

}  // namespace authmilter::report
