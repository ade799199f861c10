// pending_lookup.h - a typed lookup that was started and whose answer is collected later.
//
// UnboundResolver::start_*() send the query at once and return a PendingLookup; get() waits
// for the answer (up to the resolver's query timeout, counted from the start) and converts it.
// This lets a caller overlap lookups, e.g. start the DMARC record lookup at end-of-headers and
// collect it at end-of-message. get() is called at most once; dropping a PendingLookup without
// get() cancels the query. Not shared between threads; must not outlive its resolver.
#pragma once

#include <optional>
#include <utility>

#include "dns/unbound_query_loop.h"

namespace authmilter::dns {

template <class AnswerType>
class PendingLookup {
 public:
  using Convert = AnswerType (*)(const QueryCompletion&);

  // A query in flight, converted by `convert` when it completes.
  PendingLookup(PendingQuery query, Convert convert)
      : query_(std::move(query)), convert_(convert) {}
  // An answer known without asking (a name that cannot exist).
  explicit PendingLookup(AnswerType immediate) : immediate_(std::move(immediate)) {}

  AnswerType get() {
    if (query_) {
      QueryCompletion completion = query_->wait();
      query_.reset();
      return convert_(completion);
    }
    if (immediate_) return *std::exchange(immediate_, std::nullopt);
    return AnswerType{};  // second get(): servfail, never a stale success
  }

 private:
  std::optional<PendingQuery> query_;
  Convert convert_ = nullptr;
  std::optional<AnswerType> immediate_;
};

}  // namespace authmilter::dns
