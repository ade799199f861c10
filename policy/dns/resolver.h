// resolver.h - the DNS interface every check uses (SPF, DKIM keys, DMARC records).
//
// One Resolver instance is shared by all checks and all connections; implementations must be
// thread-safe. The production implementation is UnboundResolver (libunbound, caching); tests use
// ZoneResolver (in-memory zone data).
//
// Outcome keeps apart what the RFCs need kept apart: NXDOMAIN (name does not exist; SPF void
// lookup, DMARC np=) vs NODATA (name exists, no record of that type) vs SERVFAIL vs timeout.
// Only `ok` carries records; every other outcome has an empty record list.
// Answer::dnssec says what validation made of the answer (dnssec_status.h); a bogus answer is
// servfail, so callers that ignore DNSSEC see a temporary failure.
// Record strings are bounded by the implementation (by default kMaxRecordsPerAnswer and
// kMaxTxtLength; UnboundResolver takes them from ResolverOptions): an over-long answer is
// truncated to those bounds and marked `truncated`. A caller that needs a record whole (SPF,
// DKIM key, DMARC record) must not evaluate a truncated answer as if it were complete.
//
// Deadlines: the *_until() forms take an absolute steady-clock deadline; the lookup answers
// Outcome::timeout when it passes, if that comes before the implementation's own per-query
// timeout. They exist so that a per-message budget (budgeted_resolver.h) can cut a lookup in
// flight. The defaults ignore the deadline, which is right for a resolver that answers at once
// (ZoneResolver); a resolver that can cut a lookup derives from DeadlineResolver instead.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/dnssec_status.h"
#include "net/ip_address.h"

namespace authmilter::dns {

enum class Outcome {
  ok,        // at least one record of the asked type
  nxdomain,  // RCODE 3: the name does not exist
  nodata,    // the name exists but has no record of the asked type
  servfail,  // RCODE 2 or another server-side failure (REFUSED, FORMERR, bogus DNSSEC)
  timeout,   // no answer within the configured time
};

const char* to_string(Outcome outcome);

// Default bounds on what one answer may carry; anything beyond is dropped. Our bounds, not the
// RFCs': 64 records and 16 KiB of text per TXT RR are far above any real SPF, DKIM or DMARC
// record (RFC 7208 §3.4 suggests keeping SPF answers within 512 octets).
inline constexpr std::size_t kMaxRecordsPerAnswer = 64;
inline constexpr std::size_t kMaxTxtLength = 16384;  // joined strings of one TXT RR

// The bounds one resolver applies (ResolverOptions::answer_bounds configures UnboundResolver's).
struct AnswerBounds {
  std::size_t max_records = kMaxRecordsPerAnswer;
  std::size_t max_txt_bytes = kMaxTxtLength;
};

struct MxRecord {
  std::uint16_t preference = 0;
  std::string exchange;  // lower-case, no trailing dot

  friend bool operator==(const MxRecord&, const MxRecord&) = default;
};

template <class Record>
struct Answer {
  Outcome outcome = Outcome::servfail;
  std::vector<Record> records;
  DnssecStatus dnssec = DnssecStatus::unvalidated;
  bool truncated = false;  // a bound above cut the answer

  bool ok() const { return outcome == Outcome::ok; }
  // Temporary failures: SPF temperror, DKIM temperror, DMARC temperror.
  bool temporary_failure() const {
    return outcome == Outcome::servfail || outcome == Outcome::timeout;
  }
};

using TxtAnswer = Answer<std::string>;  // each TXT RR's character-strings joined (RFC 7208 §3.3)
using AddressAnswer = Answer<net::IpAddress>;
using MxAnswer = Answer<MxRecord>;
using NameAnswer = Answer<std::string>;  // PTR targets, lower-case, no trailing dot

using Deadline = std::chrono::steady_clock::time_point;

class Resolver {
 public:
  virtual ~Resolver() = default;

  // Names are given without a trailing dot; case does not matter.
  virtual TxtAnswer lookup_txt(std::string_view name) = 0;
  virtual AddressAnswer lookup_addresses(std::string_view name, net::IpFamily family) = 0;
  virtual MxAnswer lookup_mx(std::string_view name) = 0;
  virtual NameAnswer lookup_ptr(const net::IpAddress& address) = 0;

  // The same lookups, given up at `deadline` at the latest (see the contract above).
  virtual TxtAnswer lookup_txt_until(std::string_view name, Deadline /*deadline*/) {
    return lookup_txt(name);
  }
  virtual AddressAnswer lookup_addresses_until(std::string_view name, net::IpFamily family,
                                               Deadline /*deadline*/) {
    return lookup_addresses(name, family);
  }
  virtual MxAnswer lookup_mx_until(std::string_view name, Deadline /*deadline*/) {
    return lookup_mx(name);
  }
  virtual NameAnswer lookup_ptr_until(const net::IpAddress& address, Deadline /*deadline*/) {
    return lookup_ptr(address);
  }
};

// A resolver that honours deadlines (UnboundResolver, BudgetedResolver) implements the *_until
// forms only: a plain lookup is the same lookup with no deadline of the caller's.
class DeadlineResolver : public Resolver {
 public:
  TxtAnswer lookup_txt(std::string_view name) final {
    return lookup_txt_until(name, Deadline::max());
  }
  AddressAnswer lookup_addresses(std::string_view name, net::IpFamily family) final {
    return lookup_addresses_until(name, family, Deadline::max());
  }
  MxAnswer lookup_mx(std::string_view name) final { return lookup_mx_until(name, Deadline::max()); }
  NameAnswer lookup_ptr(const net::IpAddress& address) final {
    return lookup_ptr_until(address, Deadline::max());
  }

  TxtAnswer lookup_txt_until(std::string_view name, Deadline deadline) override = 0;
  AddressAnswer lookup_addresses_until(std::string_view name, net::IpFamily family,
                                       Deadline deadline) override = 0;
  MxAnswer lookup_mx_until(std::string_view name, Deadline deadline) override = 0;
  NameAnswer lookup_ptr_until(const net::IpAddress& address, Deadline deadline) override = 0;
};

}  // namespace authmilter::dns
