// libspf2_dns.h - a libspf2 DNS layer (SPF_dns_server_t) that answers from a dns::Resolver.
//
// SYNOPSIS
//   Libspf2DnsLayer layer(resolver);
//   SPF_server_t* server = SPF_server_new_dns(layer.server(), 0);  // borrows the layer
//
// DESCRIPTION
//   libspf2 asks its DNS layer for one (name, type) at a time and expects an SPF_dns_rr_t with
//   h_errno-style status: NETDB_SUCCESS, HOST_NOT_FOUND (NXDOMAIN), NO_DATA, TRY_AGAIN
//   (SERVFAIL/timeout). This layer maps our Resolver's outcomes onto those, so libspf2 sees the
//   same cache and the same test zones as our own engine. Type SPF (99) answers NO_DATA: RFC
//   7208 §3.1 retired it. Answers are bounded (dns::kMaxRecordsPerAnswer, kMaxTxtLength); a
//   TXT answer our resolver cut at its bounds (Answer::truncated) answers TRY_AGAIN (temperror),
//   since libspf2 would otherwise evaluate a partial record.
//
// OWNERSHIP
//   The layer must outlive every SPF_server_t made on it. Its `destroy` hook is null, so
//   libspf2 never frees it. The callback is noexcept: no exception crosses into C.
#pragma once

// libspf2's headers expect the system types to be declared first.
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cstddef>

extern "C" {
#include <spf2/spf.h>
#include <spf2/spf_dns.h>
}

#include "dns/resolver.h"

namespace authmilter::spf {

class Libspf2DnsLayer {
 public:
  explicit Libspf2DnsLayer(dns::Resolver& resolver);
  Libspf2DnsLayer(const Libspf2DnsLayer&) = delete;
  Libspf2DnsLayer& operator=(const Libspf2DnsLayer&) = delete;

  SPF_dns_server_t* server() { return &server_; }

 private:
  static SPF_dns_rr_t* lookup(SPF_dns_server_t* server, const char* domain, ns_type type,
                              int should_cache) noexcept;
  SPF_dns_rr_t* answer(const char* domain, ns_type type);

  dns::Resolver& resolver_;
  SPF_dns_server_t server_{};
};

}  // namespace authmilter::spf
