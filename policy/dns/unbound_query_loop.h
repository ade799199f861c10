// unbound_query_loop.h - many threads asking one libunbound context, each with a deadline.
//
// libunbound's blocking ub_resolve() has no timeout, so queries go through ub_resolve_async()
// instead: libunbound's own background thread (ub_ctx_async) resolves them, and one thread of
// ours waits on ub_fd() and runs ub_process(), which calls back with each answer. The caller
// that submitted a query waits on its PendingQuery up to the deadline.
//
// Ownership across the C boundary: the void* handed to libunbound is a CallbackSlot that holds
// a shared_ptr to the waiter. libunbound owns the slot from a successful ub_resolve_async()
// until exactly one of: the callback runs (it frees the slot), or ub_cancel() returns
// UB_NOERROR (libunbound then guarantees the callback never runs, and the canceller frees it).
// A waiter that gave up is therefore never touched after it is gone: the slot keeps it alive.
//
// Call order: start() once, then submit() from any thread; PendingQuery::wait() at most once.
// Every PendingQuery must be gone before the loop is destroyed; the destructor stops our
// thread and then deletes the context (which stops libunbound's thread).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "dns/owned_fd.h"
#include "dns/unbound_handles.h"

namespace authmilter::dns {

struct QueryCompletion {
  enum class Status { answered, failed, timed_out };
  Status status = Status::failed;
  UbResult result;  // set when answered
};

class UnboundQueryLoop;
struct QueryWaiter;

// One query in flight. Destroying it without wait() cancels the query.
class PendingQuery {
 public:
  PendingQuery(PendingQuery&&) noexcept;
  PendingQuery& operator=(PendingQuery&&) = delete;
  ~PendingQuery();

  // Blocks until the answer or the deadline; call once.
  QueryCompletion wait();

 private:
  friend class UnboundQueryLoop;
  PendingQuery(ub_ctx* context, std::shared_ptr<QueryWaiter> waiter, void* slot, int async_id,
               std::chrono::steady_clock::time_point deadline);
  void cancel();

  ub_ctx* context_;  // borrowed from the loop, which outlives this query
  std::shared_ptr<QueryWaiter> waiter_;
  void* slot_;  // the CallbackSlot libunbound owns while the query is in flight
  int async_id_;
  std::chrono::steady_clock::time_point deadline_;
};

class UnboundQueryLoop {
  struct Key {};  // lets start() use make_unique with a constructor nobody else can call

 public:
  // Takes a configured context that is already in threaded async mode (ub_ctx_async(ctx, 1),
  // as make_unbound_context() sets it: forking mode must never be used in the daemon) and
  // starts our thread.
  static Result<std::unique_ptr<UnboundQueryLoop>> start(UbContext context);
  ~UnboundQueryLoop();
  UnboundQueryLoop(const UnboundQueryLoop&) = delete;
  UnboundQueryLoop& operator=(const UnboundQueryLoop&) = delete;

  // `name` in libunbound presentation format (see query_name.h); rrtype in host order.
  PendingQuery submit(const std::string& name, int rrtype, std::chrono::milliseconds timeout);

  UnboundQueryLoop(Key, UbContext context, OwnedFd wake_read, OwnedFd wake_write);

 private:
  void run() noexcept;

  UbContext context_;
  OwnedFd wake_read_;  // self-pipe: a byte written to wake_write_ stops run()
  OwnedFd wake_write_;
  std::atomic<bool> broken_{false};  // ub_process failed: libunbound's worker is gone
  std::thread thread_;
};

}  // namespace authmilter::dns
