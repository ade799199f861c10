#include "dns/query_metrics.h"

#include "metrics/registry.h"

namespace authmilter::dns {

namespace {

metrics::DnsType type_label(int rrtype) {
  switch (rrtype) {
    case 16:
      return metrics::DnsType::txt;
    case 1:
      return metrics::DnsType::a;
    case 28:
      return metrics::DnsType::aaaa;
    case 15:
      return metrics::DnsType::mx;
    case 12:
      return metrics::DnsType::ptr;
    default:
      return metrics::DnsType::other;
  }
}

metrics::DnsOutcome outcome_label(const QueryCompletion& completion, Outcome outcome,
                                  bool truncated) {
  using Status = QueryCompletion::Status;
  if (completion.status == Status::failed) return metrics::DnsOutcome::error;
  if (truncated) return metrics::DnsOutcome::cut;
  switch (outcome) {
    case Outcome::ok:
      return metrics::DnsOutcome::answer;
    case Outcome::nxdomain:
      return metrics::DnsOutcome::nxdomain;
    case Outcome::nodata:
      return metrics::DnsOutcome::nodata;
    case Outcome::servfail:
      return metrics::DnsOutcome::servfail;
    case Outcome::timeout:
      return metrics::DnsOutcome::timeout;
  }
  return metrics::DnsOutcome::error;
}

}  // namespace

void count_cache_lookup(bool hit) noexcept {
  metrics::count(metrics::registry().dns_cache_lookups,
                 hit ? metrics::CacheResult::hit : metrics::CacheResult::miss);
}

void count_query(int rrtype, const QueryCompletion& completion, Outcome answer_outcome,
                 bool truncated, std::chrono::nanoseconds elapsed) noexcept {
  auto& registry = metrics::registry();
  registry
      .dns_queries[metrics::index_of(type_label(rrtype))]
                  [metrics::index_of(outcome_label(completion, answer_outcome, truncated))]
      .add();
  registry.dns_query_duration.observe(elapsed);
}

}  // namespace authmilter::dns
