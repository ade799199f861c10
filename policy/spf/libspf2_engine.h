// libspf2_engine.h - SpfEngine::libspf2: check_host() run by libspf2 over our resolver.
//
// A second, independent engine behind the same interface, for comparison and as a fallback.
// Each call makes its own SPF_server_t / SPF_request_t / SPF_response_t (libspf2 request
// objects are not thread-safe) on a Libspf2DnsLayer over `resolver`; all are freed on return.
// libspf2's results map onto SpfCode; its "invalid" becomes temperror after a DNS error and
// permerror otherwise. libspf2 1.2.10 has no void-lookup limit (RFC 7208 §4.6.4).
#pragma once

#include "dns/resolver.h"
#include "spf/identity.h"
#include "spf/spf.h"

namespace authmilter::spf {

// check_with_libspf2 - identity must be valid (initial processing is done by the caller).
SpfResult check_with_libspf2(const SpfQuery& query, const SpfIdentity& identity,
                             dns::Resolver& resolver, const SpfOptions& options);

}  // namespace authmilter::spf
