// key_record_check.h - judge a DKIM key record for one signature (RFC 6376 §3.6.1, §6.1.2).
//
// check_key_record() reads the TXT record the key-lookup callback fetched and decides, for the
// signature's algorithm, whether it holds a usable key. It reproduces libopendkim 2.11's
// dkim_get_key() (Debian's libopendkim11), which judged records before we took this step over,
// so that results and AR reasons stay the same:
//   - tag list: names start alphanumeric, whitespace inside values is dropped, a repeated tag
//     (same first character, rest ignoring case) takes the last value; lookups use the exact
//     name, so "K=" is not "k=";
//     control characters, 8-bit bytes, a name without '=' or an empty "; ;" element are syntax
//     errors (DKIM_SIGERROR_DNSSYNTAX), as is an empty record; k= defaults to "rsa".
//   - then, in this order: v= other than "DKIM1" (KEYVERSION); h= naming no known hash
//     (KEYUNKNOWNHASH) or not the signature's (KEYHASHMISMATCH); s= without "email" or "*"
//     (NOTEMAILKEY); k= missing (KEYTYPEMISSING) or unknown (KEYTYPEUNKNOWN); p= missing or not
//     base64 (DNSSYNTAX), empty (KEYREVOKED, RFC 6376 §3.6.1); t= flags y and s.
//   - k= must name the signature's key type: rsa for rsa-*, ed25519 for ed25519-sha256
//     (RFC 8463 §4). libopendkim did not look at k= here and simply failed to decode the key;
//     we give its answer, KEYDECODE, also for a key that would have decoded as the other type.
// Pure: no DNS, no OpenSSL. Errors are DKIM_SIGERROR_* codes so that signature_outcome.cpp maps
// them to the same codes and reasons as libopendkim's own.
#pragma once

#include <string_view>
#include <vector>

#include "dkim/opendkim_api.h"

namespace authmilter::dkim {

enum class KeyType { rsa, ed25519 };

struct KeyRecordCheck {
  int error = DKIM_SIGERROR_OK;         // DKIM_SIGERROR_OK: key_data holds the key
  KeyType type = KeyType::rsa;          // from k=, matching the signature
  std::vector<unsigned char> key_data;  // p= decoded: DER SubjectPublicKeyInfo, or raw Ed25519
  bool testing = false;                 // t=y (RFC 6376 §3.6.1)
  bool same_domain_only = false;        // t=s: i= must not be a subdomain of d=
};

KeyRecordCheck check_key_record(std::string_view record, dkim_alg_t algorithm);

}  // namespace authmilter::dkim
