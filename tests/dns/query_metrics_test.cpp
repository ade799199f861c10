// query_metrics.h: each query collected is counted once under its RR type and outcome, with
// "error" when libunbound could not run it and "cut" when a size bound cut the answer.
#include "dns/query_metrics.h"

#include <gtest/gtest.h>

#include "metrics/registry.h"

namespace authmilter::dns {
namespace {

std::uint64_t queries(metrics::DnsType type, metrics::DnsOutcome outcome) {
  return metrics::registry()
      .dns_queries[metrics::index_of(type)][metrics::index_of(outcome)]
      .value();
}

TEST(QueryMetrics, TypeAndOutcomeLabels) {
  using Status = QueryCompletion::Status;
  using metrics::DnsOutcome;
  using metrics::DnsType;
  const struct {
    const char* id;
    int rrtype;
    Status status;
    Outcome outcome;
    bool truncated;
    DnsType type;
    DnsOutcome label;
  } cases[] = {
      {"txt answer", 16, Status::answered, Outcome::ok, false, DnsType::txt, DnsOutcome::answer},
      {"a nxdomain", 1, Status::answered, Outcome::nxdomain, false, DnsType::a,
       DnsOutcome::nxdomain},
      {"aaaa nodata", 28, Status::answered, Outcome::nodata, false, DnsType::aaaa,
       DnsOutcome::nodata},
      {"mx servfail", 15, Status::answered, Outcome::servfail, false, DnsType::mx,
       DnsOutcome::servfail},
      {"ptr timeout", 12, Status::timed_out, Outcome::timeout, false, DnsType::ptr,
       DnsOutcome::timeout},
      {"txt cut", 16, Status::answered, Outcome::ok, true, DnsType::txt, DnsOutcome::cut},
      {"failed", 16, Status::failed, Outcome::servfail, false, DnsType::txt, DnsOutcome::error},
      {"other type", 99, Status::answered, Outcome::ok, false, DnsType::other, DnsOutcome::answer},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.id);
    QueryCompletion completion;
    completion.status = c.status;
    const auto before = queries(c.type, c.label);
    const auto durations = metrics::registry().dns_query_duration.snapshot().count;
    count_query(c.rrtype, completion, c.outcome, c.truncated, std::chrono::milliseconds(3));
    EXPECT_EQ(queries(c.type, c.label), before + 1);
    EXPECT_EQ(metrics::registry().dns_query_duration.snapshot().count, durations + 1);
  }
}

TEST(QueryMetrics, CacheHitsAndMisses) {
  auto& lookups = metrics::registry().dns_cache_lookups;
  const auto hits = lookups[metrics::index_of(metrics::CacheResult::hit)].value();
  const auto misses = lookups[metrics::index_of(metrics::CacheResult::miss)].value();
  count_cache_lookup(true);
  count_cache_lookup(false);
  count_cache_lookup(false);
  EXPECT_EQ(lookups[metrics::index_of(metrics::CacheResult::hit)].value(), hits + 1);
  EXPECT_EQ(lookups[metrics::index_of(metrics::CacheResult::miss)].value(), misses + 2);
}

}  // namespace
}  // namespace authmilter::dns
