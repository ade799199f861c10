// group_commit.cpp - the writer thread; see group_commit.h.
#include "report/group_commit.h"

namespace authmilter::report {

GroupCommitter::GroupCommitter(CommitBatch commit)
    : commit_(std::move(commit)), writer_([this] { run(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  writer_.join();
}

Status GroupCommitter::submit(const ReportRecord& record) {
  Waiter waiter{&record};
  std::unique_lock lock(mutex_);
  if (stopping_) return Error{"store: closing, record not written"};
  queue_.push_back(&waiter);
  queued_.notify_one();
  finished_.wait(lock, [&] { return waiter.done; });
  return waiter.status;
}

void GroupCommitter::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    std::vector<Waiter*> batch;
    while (!queue_.empty() && batch.size() < kMaxBatchSize) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    std::vector<const ReportRecord*> records;
    records.reserve(batch.size());
    for (auto* waiter : batch) records.push_back(waiter->record);
    Status status = Ok{};
    try {
      status = commit_(records);
    } catch (const std::exception& error) {
      status = Error{std::string("store: ") + error.what()};
    }
    lock.lock();
    for (auto* waiter : batch) {
      waiter->status = status;
      waiter->done = true;
    }
    finished_.notify_all();
  }
}

}  // namespace authmilter::report
