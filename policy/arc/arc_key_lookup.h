// arc_key_lookup.h - the public key of one ARC-Seal or ARC-Message-Signature (RFC 8617 §4.1.2,
// §4.1.3: keys are published and read as DKIM keys, RFC 6376 §3.6.2).
//
// ArcKeyLookup fetches TXT <selector>._domainkey.<domain> through the borrowed dns::Resolver,
// at most once per name per message (a sealer's AS and AMS usually share a key), judges the
// record with dkim::check_key_record() for the signature's algorithm, and decodes it through
// the DkimLibrary's PublicKeyCache. RFC 8301: RSA keys under DkimOptions::min_rsa_key_bits
// are unusable. Outcomes: ok (key set), fail (no key, NXDOMAIN/NODATA, several records, a bad
// or revoked record, a short key), temperror (SERVFAIL, timeout).
// Borrows the library and resolver (they must outlive it). One per message; not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "arc/arc_result.h"
#include "dkim/dkim_library.h"
#include "dkim/opendkim_api.h"
#include "dkim/public_key.h"
#include "dns/resolver.h"

namespace authmilter::arc {

struct ArcKey {
  enum class Status { ok, fail, temperror };
  Status status = Status::fail;
  std::shared_ptr<const dkim::PublicKey> key;  // set when ok
  unsigned bits = 0;
  KeyDnssec dnssec = KeyDnssec::unknown;
  std::string reason;  // when not ok, e.g. "no key for s._domainkey.example.org"
};

class ArcKeyLookup {
 public:
  ArcKeyLookup(const dkim::DkimLibrary& library, dns::Resolver& resolver)
      : library_(&library), resolver_(&resolver) {}

  ArcKey get(std::string_view selector, std::string_view domain, dkim_alg_t algorithm);

 private:
  const dkim::DkimLibrary* library_;
  dns::Resolver* resolver_;
  std::map<std::string, dns::TxtAnswer> answers_;  // by query name, this message only
};

}  // namespace authmilter::arc
