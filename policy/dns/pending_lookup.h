// pending_lookup.h - a typed lookup that was started and whose answer is collected later.
//
// UnboundResolver::start_*() send the query at once and return a PendingLookup; get() waits
// for the answer (up to the resolver's query timeout, counted from the start) and converts it.
// This lets a caller overlap lookups, e.g. start the DMARC record lookup at end-of-headers and
// collect it at end-of-message. get() is called at most once; dropping a PendingLookup without
// get() cancels the query. Not shared between threads; must not outlive its resolver (nor the
// AnswerCache it was given). With a cache, get() stores the converted answer there under the
// answer's TTL (answer_cache.h decides whether and how long). Each query's outcome and time
// from start to answer are counted (query_metrics.h) when get() collects it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "dns/answer_cache.h"
#include "dns/query_metrics.h"
#include "dns/unbound_query_loop.h"

namespace authmilter::dns {

template <class AnswerType>
class PendingLookup {
 public:
  // Turns the finished query into the answer (a lambda may carry the resolver's AnswerBounds).
  using Convert = std::function<AnswerType(const QueryCompletion&)>;

  // A query in flight, converted by `convert` when it completes.
  PendingLookup(PendingQuery query, Convert convert)
      : query_(std::move(query)), convert_(std::move(convert)) {}
  // The same, and the answer is kept in `cache` (borrowed) under (rrtype, name).
  PendingLookup(PendingQuery query, Convert convert, AnswerCache* cache, int rrtype,
                std::string name)
      : query_(std::move(query)),
        convert_(std::move(convert)),
        cache_(cache),
        rrtype_(rrtype),
        name_(std::move(name)),
        started_(std::chrono::steady_clock::now()) {}
  // An answer known without asking (a name that cannot exist).
  explicit PendingLookup(AnswerType immediate) : immediate_(std::move(immediate)) {}

  AnswerType get() {
    if (query_) {
      QueryCompletion completion = query_->wait();
      query_.reset();
      AnswerType answer = convert_(completion);
      if (cache_ != nullptr)
        count_query(rrtype_, completion, answer.outcome, answer.truncated,
                    std::chrono::steady_clock::now() - started_);
      if (cache_ != nullptr && completion.result != nullptr) {
        const int ttl = std::max(completion.result->ttl, 0);
        cache_->store(rrtype_, name_, answer, static_cast<std::uint32_t>(ttl));
      }
      return answer;
    }
    if (immediate_) return *std::exchange(immediate_, std::nullopt);
    return AnswerType{};  // second get(): servfail, never a stale success
  }

 private:
  std::optional<PendingQuery> query_;
  Convert convert_;
  AnswerCache* cache_ = nullptr;
  int rrtype_ = 0;
  std::string name_;
  std::chrono::steady_clock::time_point started_;  // when the query was sent (with a cache)
  std::optional<AnswerType> immediate_;
};

}  // namespace authmilter::dns
