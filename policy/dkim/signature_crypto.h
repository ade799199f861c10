// signature_crypto.h - the two cryptographic checks of a DKIM signature (RFC 6376 §6.1.3).
//
// libopendkim computes the canonicalized header and body digests (dkim_sig_gethashes); these
// functions judge them with a PublicKey taken from the PublicKeyCache, so OpenSSL never decodes
// the key again per message.
// verify_header_digest(): rsa-sha256 / rsa-sha1 are RSASSA-PKCS1-v1_5 over the digest with that
//   digest's DigestInfo (RFC 8017 §8.2.2); ed25519-sha256 is PureEdDSA over the 32-byte SHA-256
//   digest of the canonicalized header data (RFC 8463 §3). False for any mismatch of key and
//   algorithm and for any OpenSSL failure; OpenSSL's error queue is left empty.
// body_hash_matches(): bh= (whitespace ignored) against the base64 of the body digest, compared
//   as libopendkim compared it (the encoded text), in constant time.
// Thread-safe (nothing shared but the read-only key).
#pragma once

#include <span>
#include <string_view>

#include "dkim/opendkim_api.h"
#include "dkim/public_key.h"

namespace authmilter::dkim {

bool verify_header_digest(const PublicKey& key, dkim_alg_t algorithm,
                          std::span<const unsigned char> digest,
                          std::span<const unsigned char> signature);

bool body_hash_matches(std::span<const unsigned char> body_digest, std::string_view bh_tag);

}  // namespace authmilter::dkim
