// group_commit.h - many threads append; the rows that queue up meanwhile commit together.
//
// submit() adds a record to the open batch and blocks until that batch was committed, returning
// its Status. The first submitter of a batch is its leader and runs the commit on its own thread;
// while one batch commits, later submitters gather into the next one, so under load one
// transaction (one fsync) serves many messages. There is no writer thread: with one message at a
// time, a submit is a plain call (no hand-off, no wake-up), and under load each follower sleeps
// once and is woken once, by its own batch's leader. Batches commit one at a time, in order; the
// finishing leader hands the turn to the next batch's leader.
// The destructor waits for batches in flight; a submit after it began is refused.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
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
  struct Batch;

  Status lead(const std::shared_ptr<Batch>& batch);

  CommitBatch commit_;
  std::mutex mutex_;
  std::condition_variable drained_;             // the destructor waits for it
  std::deque<std::shared_ptr<Batch>> pending_;  // front: the next to commit; back: open
  bool committing_ = false;                     // a leader holds the turn
  bool stopping_ = false;
};

}  // namespace authmilter::report
