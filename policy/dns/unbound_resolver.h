// unbound_resolver.h - the production Resolver: one shared, caching libunbound context.
//
// One UnboundResolver serves the whole daemon: every milter thread calls it at once. It keeps
// a single ub_ctx, so libunbound's cache (which honours record TTLs) is shared by SPF, DKIM and
// DMARC. In front of it sits an AnswerCache (answer_cache.h) of converted answers, so a
// repeated lookup within the TTL costs neither a query nor a thread hand-off; SERVFAIL and
// timeouts are never cached. Each lookup waits at
// most ResolverOptions::query_timeout, or until the deadline given to a *_until() form if that
// is sooner, and then answers Outcome::timeout (the query is cancelled; a deadline already past
// answers at once, from the cache if the answer is there). See unbound_query_loop.h for the
// threading and ownership design and unbound_answer.h for how answers map onto Outcome, the
// record bounds (ResolverOptions::answer_bounds) and Answer::dnssec (validated only when
// ResolverOptions::trust_anchor_file is set). Bogus answers are SERVFAIL, so never cached here.
//
// A name that cannot exist in the DNS (empty label, label over 63 octets, name over 255
// octets; RFC 1035 §2.3.4) answers NXDOMAIN without a query.
//
// Lifetime: create() at start-up (after daemonizing, before dropping privileges if the trust
// anchor or resolv.conf need them); destroy it only after every lookup has returned. The
// destructor stops the background threads. Errors from create() name the option at fault.
#pragma once

#include <memory>
#include <string_view>

#include "common/result.h"
#include "dns/answer_cache.h"
#include "dns/pending_lookup.h"
#include "dns/resolver.h"
#include "dns/resolver_options.h"
#include "dns/unbound_answer.h"
#include "dns/unbound_query_loop.h"

namespace authmilter::dns {

class UnboundResolver : public DeadlineResolver {
  struct Key {};  // lets create() use make_unique with a constructor nobody else can call

 public:
  static Result<std::unique_ptr<UnboundResolver>> create(const ResolverOptions& options);
  UnboundResolver(Key, std::unique_ptr<UnboundQueryLoop> loop, std::chrono::milliseconds timeout,
                  AnswerCacheLimits limits, AnswerRules rules);

  TxtAnswer lookup_txt_until(std::string_view name, Deadline deadline) override;
  AddressAnswer lookup_addresses_until(std::string_view name, net::IpFamily family,
                                       Deadline deadline) override;
  MxAnswer lookup_mx_until(std::string_view name, Deadline deadline) override;
  NameAnswer lookup_ptr_until(const net::IpAddress& address, Deadline deadline) override;

  // Asynchronous forms: the query is sent now, get() collects the answer (by `deadline` at the
  // latest, when that comes before the query timeout).
  PendingLookup<TxtAnswer> start_txt(std::string_view name, Deadline deadline = Deadline::max());
  PendingLookup<AddressAnswer> start_addresses(std::string_view name, net::IpFamily family,
                                               Deadline deadline = Deadline::max());
  PendingLookup<MxAnswer> start_mx(std::string_view name, Deadline deadline = Deadline::max());
  PendingLookup<NameAnswer> start_ptr(const net::IpAddress& address,
                                      Deadline deadline = Deadline::max());

  // Hits, misses and size of the answer cache (for tests and the benchmark).
  AnswerCacheStats cache_stats() const { return cache_.stats(); }

 private:
  template <class AnswerType>
  PendingLookup<AnswerType> start(std::string_view name, int rrtype,
                                  typename PendingLookup<AnswerType>::Convert convert,
                                  Deadline deadline);

  std::unique_ptr<UnboundQueryLoop> loop_;
  std::chrono::milliseconds timeout_;
  AnswerCache cache_;
  AnswerRules rules_;
};

}  // namespace authmilter::dns
