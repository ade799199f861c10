#include "dns/unbound_query_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>

namespace authmilter::dns {

namespace {

constexpr int kClassIn = 1;  // RFC 1035 §3.2.4

}  // namespace

// What a submitter waits on; shared between the submitter and the CallbackSlot.
struct QueryWaiter {
  std::mutex mutex;
  std::condition_variable answered;
  bool done = false;
  int error = 0;
  UbResult result;
};

namespace {

// The object libunbound carries as the callback's void*; see the ownership note in the header.
struct CallbackSlot {
  std::shared_ptr<QueryWaiter> waiter;
};

void finish(QueryWaiter& waiter, int error, UbResult result) {
  {
    std::lock_guard lock(waiter.mutex);
    waiter.error = error;
    waiter.result = std::move(result);
    waiter.done = true;
  }
  waiter.answered.notify_all();
}

// Runs on our loop thread inside ub_process(); takes ownership of both the slot and the result.
void on_answer(void* data, int error, ub_result* result) noexcept {
  UbResult owned(result);
  std::unique_ptr<CallbackSlot> slot(static_cast<CallbackSlot*>(data));
  try {
    finish(*slot->waiter, error, std::move(owned));
  } catch (...) {
    // A failed lock leaves the waiter to its deadline; nothing may unwind into libunbound.
  }
}

}  // namespace

PendingQuery::PendingQuery(ub_ctx* context, std::shared_ptr<QueryWaiter> waiter, void* slot,
                           int async_id, std::chrono::steady_clock::time_point deadline)
    : context_(context),
      waiter_(std::move(waiter)),
      slot_(slot),
      async_id_(async_id),
      deadline_(deadline) {}

PendingQuery::PendingQuery(PendingQuery&& other) noexcept
    : context_(other.context_),
      waiter_(std::move(other.waiter_)),
      slot_(std::exchange(other.slot_, nullptr)),
      async_id_(other.async_id_),
      deadline_(other.deadline_) {}

PendingQuery::~PendingQuery() {
  cancel();
}

void PendingQuery::cancel() {
  if (slot_ == nullptr) return;
  void* slot = std::exchange(slot_, nullptr);
  // UB_NOERROR: libunbound will never call back, so the slot is ours to free. Otherwise
  // (UB_NOID) the answer is being or has been delivered and the callback frees the slot.
  if (ub_cancel(context_, async_id_) == UB_NOERROR) {
    std::unique_ptr<CallbackSlot> reclaimed(static_cast<CallbackSlot*>(slot));
  }
}

QueryCompletion PendingQuery::wait() {
  QueryCompletion completion;
  if (!waiter_) return completion;  // moved from, or waited already: failed
  const auto take = [&] {
    completion.status =
        waiter_->error == 0 ? QueryCompletion::Status::answered : QueryCompletion::Status::failed;
    completion.result = std::move(waiter_->result);
    slot_ = nullptr;  // the callback ran and freed the slot
  };
  bool answered = false;
  {
    std::unique_lock lock(waiter_->mutex);
    answered = waiter_->answered.wait_until(lock, deadline_, [&] { return waiter_->done; });
    if (answered) take();
  }
  if (answered) {
    waiter_.reset();  // only after the lock on its mutex is released
    return completion;
  }
  cancel();
  {
    // The answer may have raced the deadline; if it is here now, use it.
    std::lock_guard lock(waiter_->mutex);
    if (waiter_->done) {
      take();
    } else {
      completion.status = QueryCompletion::Status::timed_out;
    }
  }
  waiter_.reset();
  return completion;
}

Result<std::unique_ptr<UnboundQueryLoop>> UnboundQueryLoop::start(UbContext context) {
  if (!context) return Error{"no libunbound context"};
  if (ub_fd(context.get()) < 0) return Error{"libunbound context has no result descriptor"};
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Error{std::string("resolver wake-up pipe: ") + std::strerror(errno)};
  }
  OwnedFd read_end(fds[0]);
  OwnedFd write_end(fds[1]);
  auto loop = std::make_unique<UnboundQueryLoop>(Key{}, std::move(context), std::move(read_end),
                                                 std::move(write_end));
  try {
    loop->thread_ = std::thread([raw = loop.get()] { raw->run(); });
  } catch (const std::system_error& error) {
    return Error{std::string("resolver thread: ") + error.what()};
  }
  return loop;
}

UnboundQueryLoop::UnboundQueryLoop(Key, UbContext context, OwnedFd wake_read, OwnedFd wake_write)
    : context_(std::move(context)),
      wake_read_(std::move(wake_read)),
      wake_write_(std::move(wake_write)) {}

UnboundQueryLoop::~UnboundQueryLoop() {
  if (thread_.joinable()) {
    const char stop = 1;
    while (::write(wake_write_.get(), &stop, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  // context_ goes last: ub_ctx_delete stops libunbound's worker and drops unanswered queries.
}

void UnboundQueryLoop::run() noexcept {
  pollfd watched[2] = {{ub_fd(context_.get()), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
  while (true) {
    if (::poll(watched, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (watched[1].revents != 0) return;  // asked to stop
    if ((watched[0].revents & POLLIN) != 0) {
      if (ub_process(context_.get()) != UB_NOERROR) break;
    } else if (watched[0].revents != 0) {
      break;  // POLLERR/POLLHUP: libunbound's worker is gone
    }
  }
  // Without this thread no answer is delivered; new queries fail at once, and the ones in
  // flight run into their deadlines.
  broken_ = true;
}

PendingQuery UnboundQueryLoop::submit(const std::string& name, int rrtype,
                                      std::chrono::milliseconds timeout) {
  auto waiter = std::make_shared<QueryWaiter>();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (broken_) {
    finish(*waiter, UB_PIPE, nullptr);
    return PendingQuery(context_.get(), std::move(waiter), nullptr, 0, deadline);
  }
  void* slot = std::make_unique<CallbackSlot>(CallbackSlot{waiter}).release();
  int async_id = 0;
  const int rc =
      ub_resolve_async(context_.get(), name.c_str(), rrtype, kClassIn, slot, &on_answer, &async_id);
  if (rc != UB_NOERROR) {
    // Not queued: libunbound will never call back, so the slot is still ours.
    std::unique_ptr<CallbackSlot> reclaimed(static_cast<CallbackSlot*>(slot));
    finish(*waiter, rc, nullptr);
    return PendingQuery(context_.get(), std::move(waiter), nullptr, 0, deadline);
  }
  return PendingQuery(context_.get(), std::move(waiter), slot, async_id, deadline);
}

}  // namespace authmilter::dns
