#include "dns/unbound_resolver.h"

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

AddressAnswer to_v4_answer(const QueryCompletion& completion) {
  return to_address_answer(completion, net::IpFamily::v4);
}

AddressAnswer to_v6_answer(const QueryCompletion& completion) {
  return to_address_answer(completion, net::IpFamily::v6);
}

}  // namespace

Result<std::unique_ptr<UnboundResolver>> UnboundResolver::create(const ResolverOptions& options) {
  Result<UbContext> context = make_unbound_context(options);
  if (!context) return Error{context.error()};
  Result<std::unique_ptr<UnboundQueryLoop>> loop = UnboundQueryLoop::start(std::move(*context));
  if (!loop) return Error{loop.error()};
  return std::make_unique<UnboundResolver>(
      Key{}, std::move(*loop), options.query_timeout,
      AnswerCacheLimits{options.cache_max_entries, options.cache_max_bytes});
}

UnboundResolver::UnboundResolver(Key, std::unique_ptr<UnboundQueryLoop> loop,
                                 std::chrono::milliseconds timeout, AnswerCacheLimits limits)
    : loop_(std::move(loop)), timeout_(timeout), cache_(limits) {}

template <class AnswerType>
PendingLookup<AnswerType> UnboundResolver::start(
    std::string_view name, int rrtype, typename PendingLookup<AnswerType>::Convert convert) {
  const std::optional<std::string> query_name = to_query_name(name);
  if (!query_name) {
    AnswerType impossible;
    impossible.outcome = Outcome::nxdomain;
    return PendingLookup<AnswerType>(std::move(impossible));
  }
  if (std::optional<AnswerType> cached = cache_.find<AnswerType>(rrtype, *query_name)) {
    return PendingLookup<AnswerType>(std::move(*cached));
  }
  return PendingLookup<AnswerType>(loop_->submit(*query_name, rrtype, timeout_), convert, &cache_,
                                   rrtype, *query_name);
}

PendingLookup<TxtAnswer> UnboundResolver::start_txt(std::string_view name) {
  return start<TxtAnswer>(name, kTypeTxt, &to_txt_answer);
}

PendingLookup<AddressAnswer> UnboundResolver::start_addresses(std::string_view name,
                                                              net::IpFamily family) {
  if (family == net::IpFamily::v4) return start<AddressAnswer>(name, kTypeA, &to_v4_answer);
  return start<AddressAnswer>(name, kTypeAaaa, &to_v6_answer);
}

PendingLookup<MxAnswer> UnboundResolver::start_mx(std::string_view name) {
  return start<MxAnswer>(name, kTypeMx, &to_mx_answer);
}

PendingLookup<NameAnswer> UnboundResolver::start_ptr(const net::IpAddress& address) {
  return start<NameAnswer>(address.reverse_name(), kTypePtr, &to_name_answer);
}

TxtAnswer UnboundResolver::lookup_txt(std::string_view name) {
  return start_txt(name).get();
}

AddressAnswer UnboundResolver::lookup_addresses(std::string_view name, net::IpFamily family) {
  return start_addresses(name, family).get();
}

MxAnswer UnboundResolver::lookup_mx(std::string_view name) {
  return start_mx(name).get();
}

NameAnswer UnboundResolver::lookup_ptr(const net::IpAddress& address) {
  return start_ptr(address).get();
}

}  // namespace authmilter::dns
