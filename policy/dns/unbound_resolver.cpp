#include "dns/unbound_resolver.h"

#include <algorithm>
#include <optional>

#include "dns/query_metrics.h"
#include "dns/query_name.h"
#include "dns/unbound_answer.h"
#include "dns/unbound_context.h"

namespace authmilter::dns {

namespace {

// RR type codes: RFC 1035 §3.2.2, RFC 3596 §2.1.
constexpr int kTypeA = 1;
constexpr int kTypePtr = 12;
constexpr int kTypeMx = 15;
constexpr int kTypeTxt = 16;
constexpr int kTypeAaaa = 28;

Status check_bounds(const AnswerBounds& bounds) {
  if (bounds.max_records < kMinAnswerRecords || bounds.max_records > kMaxAnswerRecords) {
    return Error{"dns max_answer_records must be between " + std::to_string(kMinAnswerRecords) +
                 " and " + std::to_string(kMaxAnswerRecords)};
  }
  if (bounds.max_txt_bytes < kMinTxtBytes || bounds.max_txt_bytes > kMaxTxtBytes) {
    return Error{"dns max_txt_bytes must be between " + std::to_string(kMinTxtBytes) + " and " +
                 std::to_string(kMaxTxtBytes)};
  }
  return Ok{};
}

// time_left - how long a query may wait: the query timeout, or less when `deadline` is sooner;
// nullopt when the deadline has passed. Rounded up, so that a deadline a fraction of a
// millisecond away still sends the query rather than answering a timeout nobody waited for.
std::optional<std::chrono::milliseconds> time_left(std::chrono::milliseconds timeout,
                                                   Deadline deadline) {
  const Deadline now = std::chrono::steady_clock::now();
  if (deadline <= now) return std::nullopt;
  return std::min(timeout, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
}

}  // namespace

Result<std::unique_ptr<UnboundResolver>> UnboundResolver::create(const ResolverOptions& options) {
  if (Status bounds = check_bounds(options.answer_bounds); !bounds) return Error{bounds.error()};
  Result<UbContext> context = make_unbound_context(options);
  if (!context) return Error{context.error()};
  Result<std::unique_ptr<UnboundQueryLoop>> loop = UnboundQueryLoop::start(std::move(*context));
  if (!loop) return Error{loop.error()};
  return std::make_unique<UnboundResolver>(
      Key{}, std::move(*loop), options.query_timeout,
      AnswerCacheLimits{options.cache_max_entries, options.cache_max_bytes},
      AnswerRules{options.answer_bounds, !options.trust_anchor_file.empty()});
}

UnboundResolver::UnboundResolver(Key, std::unique_ptr<UnboundQueryLoop> loop,
                                 std::chrono::milliseconds timeout, AnswerCacheLimits limits,
                                 AnswerRules rules)
    : loop_(std::move(loop)), timeout_(timeout), cache_(limits), rules_(rules) {}

template <class AnswerType>
PendingLookup<AnswerType> UnboundResolver::start(
    std::string_view name, int rrtype, typename PendingLookup<AnswerType>::Convert convert,
    Deadline deadline) {
  const std::optional<std::string> query_name = to_query_name(name);
  if (!query_name) {
    AnswerType impossible;
    impossible.outcome = Outcome::nxdomain;
    return PendingLookup<AnswerType>(std::move(impossible));
  }
  if (std::optional<AnswerType> cached = cache_.find<AnswerType>(rrtype, *query_name)) {
    count_cache_lookup(true);
    return PendingLookup<AnswerType>(std::move(*cached));
  }
  const std::optional<std::chrono::milliseconds> wait = time_left(timeout_, deadline);
  if (!wait) {
    AnswerType late;
    late.outcome = Outcome::timeout;
    return PendingLookup<AnswerType>(std::move(late));
  }
  count_cache_lookup(false);
  return PendingLookup<AnswerType>(loop_->submit(*query_name, rrtype, *wait), std::move(convert),
                                   &cache_, rrtype, *query_name);
}

PendingLookup<TxtAnswer> UnboundResolver::start_txt(std::string_view name, Deadline deadline) {
  return start<TxtAnswer>(
      name, kTypeTxt,
      [rules = rules_](const QueryCompletion& done) { return to_txt_answer(done, rules); },
      deadline);
}

PendingLookup<AddressAnswer> UnboundResolver::start_addresses(std::string_view name,
                                                              net::IpFamily family,
                                                              Deadline deadline) {
  const int rrtype = family == net::IpFamily::v4 ? kTypeA : kTypeAaaa;
  return start<AddressAnswer>(
      name, rrtype,
      [family, rules = rules_](const QueryCompletion& done) {
        return to_address_answer(done, family, rules);
      },
      deadline);
}

PendingLookup<MxAnswer> UnboundResolver::start_mx(std::string_view name, Deadline deadline) {
  return start<MxAnswer>(
      name, kTypeMx,
      [rules = rules_](const QueryCompletion& done) { return to_mx_answer(done, rules); },
      deadline);
}

PendingLookup<NameAnswer> UnboundResolver::start_ptr(const net::IpAddress& address,
                                                     Deadline deadline) {
  return start<NameAnswer>(
      address.reverse_name(), kTypePtr,
      [rules = rules_](const QueryCompletion& done) { return to_name_answer(done, rules); },
      deadline);
}

TxtAnswer UnboundResolver::lookup_txt_until(std::string_view name, Deadline deadline) {
  return start_txt(name, deadline).get();
}

AddressAnswer UnboundResolver::lookup_addresses_until(std::string_view name, net::IpFamily family,
                                                      Deadline deadline) {
  return start_addresses(name, family, deadline).get();
}

MxAnswer UnboundResolver::lookup_mx_until(std::string_view name, Deadline deadline) {
  return start_mx(name, deadline).get();
}

NameAnswer UnboundResolver::lookup_ptr_until(const net::IpAddress& address, Deadline deadline) {
  return start_ptr(address, deadline).get();
}

}  // namespace authmilter::dns
