// resolver.h - the DNS interface every check uses (SPF, DKIM keys, DMARC records).
//
// One Resolver instance is shared by all checks and all connections; implementations must be
// thread-safe. The production implementation is UnboundResolver (libunbound, caching); tests use
// ZoneResolver (in-memory zone data).
//
// Outcome keeps apart what the RFCs need kept apart: NXDOMAIN (name does not exist; SPF void
// lookup, DMARC np=) vs NODATA (name exists, no record of that type) vs SERVFAIL vs timeout.
// Only `ok` carries records; every other outcome has an empty record list.
// Record strings are bounded by the implementation (kMaxRecordsPerAnswer, kMaxTxtLength): an
// over-long answer is truncated to those bounds and marked `truncated`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// Bounds on what one answer may carry; anything beyond is dropped.
inline constexpr std::size_t kMaxRecordsPerAnswer = 64;
inline constexpr std::size_t kMaxTxtLength = 16384;  // joined strings of one TXT RR

struct MxRecord {
  std::uint16_t preference = 0;
  std::string exchange;  // lower-case, no trailing dot

  friend bool operator==(const MxRecord&, const MxRecord&) = default;
};

template <class Record>
struct Answer {
  Outcome outcome = Outcome::servfail;
  std::vector<Record> records;
  bool dnssec_secure = false;  // validated by a configured trust anchor
  bool truncated = false;      // a bound above cut the answer

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

class Resolver {
 public:
  virtual ~Resolver() = default;

  // Names are given without a trailing dot; case does not matter.
  virtual TxtAnswer lookup_txt(std::string_view name) = 0;
  virtual AddressAnswer lookup_addresses(std::string_view name, net::IpFamily family) = 0;
  virtual MxAnswer lookup_mx(std::string_view name) = 0;
  virtual NameAnswer lookup_ptr(const net::IpAddress& address) = 0;
};

}  // namespace authmilter::dns
