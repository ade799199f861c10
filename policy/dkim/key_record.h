// key_record.h - fetch a DKIM public key record through our resolver (RFC 6376 §3.6.2).
//
// fetch_key_record() queries TXT <selector>._domainkey.<domain> on the shared dns::Resolver,
// so DKIM shares timeouts, caching and test zones with SPF and DMARC. It never passes a failure
// off as a key: NXDOMAIN/NODATA -> permerror "no key", a DNSSEC bogus answer -> permerror
// kBogusKeyReason (the same "no key", not temperror: retrying will not make a forged or broken
// signature valid), other SERVFAIL/timeout -> temperror, several TXT
// records -> permerror (RFC 6376 §3.6.2.2 leaves that undefined), a record longer than
// `max_length` -> permerror. `dnssec` is the answer's DNSSEC status, found or not. A PKCS#1 RSA key
// is rewritten to SubjectPublicKeyInfo (rsa_key_format.h). Thread-safe as far as the resolver is.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/domain_name.h"
#include "dkim/dkim_result.h"
#include "dns/resolver.h"

namespace authmilter::dkim {

struct KeyFetch {
  bool found = false;  // true: `record` holds the key record; false: code + reason say why not
  std::string record;
  DkimCode code = DkimCode::permerror;
  std::string reason;
  dns::DnssecStatus dnssec = dns::DnssecStatus::unvalidated;
};

KeyFetch fetch_key_record(dns::Resolver& resolver, std::string_view selector,
                          std::string_view domain, std::size_t max_length);

// The query name for (selector, domain), or "" when either is not a usable DNS name.
std::string key_query_name(std::string_view selector, std::string_view domain);

}  // namespace authmilter::dkim
