// spf.h - Sender Policy Framework checks (RFC 7208) for the MAIL FROM and HELO identities.
//
// SYNOPSIS
//   SpfResult r = check_mail_from({client, helo, mail_from}, resolver, options);
//
// DESCRIPTION
//   check_mail_from() checks the MAIL FROM identity; with a null reverse path (`<>` or "") it
//   checks postmaster@<HELO> instead (RFC 7208 §2.4). check_helo() checks the HELO identity
//   (RFC 7208 §2.3). Both run check_host() (RFC 7208 §4) with the engine chosen in SpfOptions:
//   our own evaluator (builtin) or libspf2 over the same dns::Resolver.
//   Plain values in, a result struct out; nothing is kept between calls, so any number of
//   checks may run at once as long as the Resolver is thread-safe.
//
// RETURN
//   Always a result: DNS failures are `temperror`, record errors `permerror` (both verdicts,
//   never exceptions). `reason` is a short, specific text for the Authentication-Results
//   comment and the log. `explanation` is set only for `fail` (the expanded exp= text or the
//   configured default explanation, RFC 7208 §6.2).
#pragma once

#include <cstdint>
#include <string>

#include "dns/resolver.h"
#include "net/ip_address.h"

namespace authmilter::spf {

// Limits of RFC 7208 §4.6.4, the defaults of SpfOptions.
inline constexpr int kMaxDnsTerms = 10;    // §4.6.4: terms that cause DNS queries
inline constexpr int kMaxVoidLookups = 2;  // §4.6.4: NXDOMAIN / empty answers
inline constexpr int kMaxMxNames = 10;     // §4.6.4: MX names per "mx"
inline constexpr int kMaxPtrNames = 10;    // §4.6.4: PTR names per "ptr" / %{p}

// SpfCode - the RFC 7208 §2.6 results, spelled as in RFC 8601 `spf=`.
enum class SpfCode { none, neutral, pass, fail, softfail, temperror, permerror };
const char* to_string(SpfCode code);

enum class SpfScope { mailfrom, helo };
const char* to_string(SpfScope scope);

enum class SpfEngine { builtin, libspf2 };

struct SpfOptions {
  SpfEngine engine = SpfEngine::builtin;
  std::string receiver_host = "unknown";  // %{r} (RFC 7208 §7.3)
  // Used when a fail has no usable exp= (RFC 7208 §6.2); a macro-string, expanded like exp text.
  std::string default_explanation = "%{c} is not a permitted sender of %{d}";
  int max_dns_terms = kMaxDnsTerms;
  int max_void_lookups = kMaxVoidLookups;
  int max_mx_names = kMaxMxNames;
  int max_ptr_names = kMaxPtrNames;
  std::int64_t timestamp = 0;  // %{t}; 0 = the current time
};

struct SpfQuery {
  net::IpAddress client;
  std::string helo;       // HELO/EHLO argument as sent
  std::string mail_from;  // reverse path without angle brackets; "" or "<>" = null sender
};

struct SpfResult {
  SpfCode code = SpfCode::none;
  SpfScope scope = SpfScope::mailfrom;
  std::string domain;       // the identity's domain that was checked (RFC 8601 smtp.mailfrom/helo)
  std::string reason;       // e.g. "matched ip4:192.0.2.0/24", "2 void lookups exceeded"
  std::string explanation;  // only for fail
  int dns_lookups = 0;      // DNS-querying terms evaluated (RFC 7208 §4.6.4)
};

// check_mail_from - check_host() for the MAIL FROM identity (postmaster@HELO when null).
SpfResult check_mail_from(const SpfQuery& query, dns::Resolver& resolver,
                          const SpfOptions& options);
// check_helo - check_host() for the HELO identity.
SpfResult check_helo(const SpfQuery& query, dns::Resolver& resolver, const SpfOptions& options);

}  // namespace authmilter::spf
