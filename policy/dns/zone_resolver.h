// zone_resolver.h - an in-memory Resolver over zone data, for tests and authmilter-check.
//
// Names are matched case-insensitively. A name that has any record (of any type) answers NODATA
// for the types it lacks; an unknown name answers NXDOMAIN. A (name, type) can be told to fail
// with SERVFAIL or timeout, or be marked truncated (as if a bound of the real resolver had cut
// it: the records given are served with Answer::truncated set). Counts every lookup so that tests
// can check the cache and limits. A name with a CNAME is an alias: lookups of it follow the chain
// (at most kMaxCnameChain hops, as a recursive resolver would); a longer chain or a loop answers
// SERVFAIL (RFC 1034 §3.6.2).
// DNSSEC (dnssec_status.h): answers are unvalidated, like a resolver without a trust anchor,
// until set_dnssec() gives a status to every answer (set_default_dnssec) or to a name's answers,
// the name given being the one asked for (also an alias or a name that does not exist).
// A bogus name answers servfail with no records, like UnboundResolver; a failure set with
// add_failure is never validated. Not thread-safe for writes: fill it before sharing it.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "dns/resolver.h"

namespace authmilter::dns {

enum class RecordType { txt, a, aaaa, mx, ptr, cname };

// Longest CNAME chain followed before a lookup fails (loops end here too).
inline constexpr int kMaxCnameChain = 8;

class ZoneResolver : public Resolver {
 public:
  void add_txt(std::string_view name, std::string joined_text);
  void add_address(std::string_view name, const net::IpAddress& address);
  void add_mx(std::string_view name, std::uint16_t preference, std::string_view exchange);
  void add_ptr(std::string_view reverse_name, std::string_view target);
  // The name exists (answers NODATA) even without records, e.g. an empty non-terminal.
  void add_name(std::string_view name);
  // The name is an alias of target; an empty target (a broken zone) answers NXDOMAIN.
  void add_cname(std::string_view name, std::string_view target);
  // Lookups of (name, type) fail with `outcome` (servfail or timeout).
  void add_failure(std::string_view name, RecordType type, Outcome outcome);
  // Answers for (name, type) carry truncated = true.
  void add_truncation(std::string_view name, RecordType type);
  // Lookups of `name` (any type) answer with `status`; bogus makes them servfail.
  void set_dnssec(std::string_view name, DnssecStatus status);
  // The status of every other answer (unvalidated unless set).
  void set_default_dnssec(DnssecStatus status);

  TxtAnswer lookup_txt(std::string_view name) override;
  AddressAnswer lookup_addresses(std::string_view name, net::IpFamily family) override;
  MxAnswer lookup_mx(std::string_view name) override;
  NameAnswer lookup_ptr(const net::IpAddress& address) override;

  int lookup_count() const;

 private:
  struct Node {
    std::vector<std::string> txt;
    std::vector<net::IpAddress> addresses;
    std::vector<MxRecord> mx;
    std::vector<std::string> ptr;
    std::map<RecordType, Outcome> failures;
    std::vector<RecordType> truncated;
    std::optional<std::string> cname;
  };

  template <class Record>
  Answer<Record> answer(std::string_view name, RecordType type,
                        std::vector<Record> (*select)(const Node&));

  std::map<std::string, Node> nodes_;
  std::map<std::string, DnssecStatus> dnssec_;  // by asked name, apart so as not to create names
  DnssecStatus default_dnssec_ = DnssecStatus::unvalidated;
  mutable std::mutex mutex_;
  int lookups_ = 0;
};

}  // namespace authmilter::dns
