// query_metrics.h - what the resolver tells the metrics registry about each lookup.
//
// count_cache_lookup() for every lookup that reaches the answer cache (hit: answered by it;
// miss: sent to libunbound). count_query() once per query sent to libunbound, when its answer
// is collected (PendingLookup::get()): RR type, outcome and the time since it was sent. Both
// are a few relaxed atomic adds (metrics/registry.h); thread-safe.
#pragma once

#include <chrono>

#include "dns/resolver.h"
#include "dns/unbound_query_loop.h"

namespace authmilter::dns {

void count_cache_lookup(bool hit) noexcept;

// `answer_outcome`/`truncated`: the converted answer; `completion` says whether libunbound
// ran the query at all (failed: counted as outcome "error").
void count_query(int rrtype, const QueryCompletion& completion, Outcome answer_outcome,
                 bool truncated, std::chrono::nanoseconds elapsed) noexcept;

}  // namespace authmilter::dns
