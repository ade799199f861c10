// group_commit.cpp - leader/follower batching; see group_commit.h.
#include "report/group_commit.h"

#include <exception>
#include <string>

namespace authmilter::report {

// One transaction's rows. `records` grows under GroupCommitter::mutex_ while the batch is the
// open one; its leader reads it only after taking it off `pending_`. The rest is guarded by the
// batch's own mutex, so that waking a batch's members never touches the committer's lock, and
// a shared_ptr keeps it alive for whoever still signals it.
struct GroupCommitter::Batch {
  std::vector<const ReportRecord*> records;
  std::mutex mutex;
  std::condition_variable turn_given;   // only the leader waits for it
  std::condition_variable commit_done;  // the followers wait for it
  bool may_commit = false;              // the leader's turn has come
  bool committed = false;
  Status status = Ok{};

  void wait_for_turn() {
    std::unique_lock lock(mutex);
    turn_given.wait(lock, [this] { return may_commit; });
  }
  Status wait_for_commit() {
    std::unique_lock lock(mutex);
    commit_done.wait(lock, [this] { return committed; });
    return status;
  }
  void give_turn() {
    {
      std::lock_guard lock(mutex);
      may_commit = true;
    }
    turn_given.notify_one();
  }
  void finish(const Status& result) {
    {
      std::lock_guard lock(mutex);
      status = result;
      committed = true;
    }
    commit_done.notify_all();
  }
};

GroupCommitter::GroupCommitter(CommitBatch commit) : commit_(std::move(commit)) {}

GroupCommitter::~GroupCommitter() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  drained_.wait(lock, [this] { return pending_.empty() && !committing_; });
}

Status GroupCommitter::submit(const ReportRecord& record) {
  // Made before the lock, holding its first record, so that nothing can throw once a new batch
  // is queued: a queued batch whose leader left would stall every batch after it.
  auto fresh = std::make_shared<Batch>();
  fresh->records.push_back(&record);
  std::shared_ptr<Batch> batch;
  bool leader = false;
  bool turn_is_ours = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Error{"store: closing, record not written"};
    if (pending_.empty() || pending_.back()->records.size() >= kMaxBatchSize) {
      pending_.push_back(fresh);
      leader = true;
      batch = std::move(fresh);
    } else {
      batch = pending_.back();
      batch->records.push_back(&record);  // may throw: then this record joined nothing
    }
    if (leader && !committing_) {  // nothing in flight: commit at once, on this thread
      committing_ = true;
      turn_is_ours = true;
    }
  }
  if (!leader) return batch->wait_for_commit();
  if (!turn_is_ours) batch->wait_for_turn();
  return lead(batch);
}

Status GroupCommitter::lead(const std::shared_ptr<Batch>& batch) {
  {
    std::lock_guard lock(mutex_);
    pending_.pop_front();  // == batch: batches take turns in order; no one joins it now
  }
  Status status = Ok{};
  try {
    status = commit_(batch->records);
  } catch (const std::exception& error) {
    status = Error{std::string("store: ") + error.what()};
  }
  std::shared_ptr<Batch> next;
  {
    std::lock_guard lock(mutex_);
    if (pending_.empty()) {
      committing_ = false;
      if (stopping_) drained_.notify_all();
    } else {
      next = pending_.front();  // its leader is waiting for the turn, which stays taken
    }
  }
  batch->finish(status);
  if (next) next->give_turn();
  return status;
}

}  // namespace authmilter::report
