// rsa_key_format.h - accept RSA keys published as PKCS#1 RSAPublicKey (interoperability).
//
// RFC 6376 §3.6.1 calls p= an "RSAPublicKey" but every signer publishes a DER
// SubjectPublicKeyInfo (RFC 5280), the one form libopendkim decoded and public_key.h decodes
// (d2i_PUBKEY). Some domains publish the bare PKCS#1 RSAPublicKey (RFC 8017 A.1.1), which
// dkimpy, Mail::DKIM and go-msgauth accept. normalize_key_record() rewrites such a record's p=
// into SubjectPublicKeyInfo so that it verifies; every other record comes back unchanged.
// Pure functions over OpenSSL; no state.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace authmilter::dkim {

// Bound on the base64 text of p= that we decode: 8192-bit RSA is ~1.5 KB of base64.
inline constexpr std::size_t kMaxKeyBase64Length = 4096;

// The base64 DER SubjectPublicKeyInfo for a base64 PKCS#1 RSAPublicKey, or nullopt when
// `base64_der` is already a SubjectPublicKeyInfo, is not PKCS#1, or is not base64.
std::optional<std::string> pkcs1_to_spki_base64(std::string_view base64_der);

// `record` with p= converted by pkcs1_to_spki_base64() when the record is an RSA key (k=rsa or
// no k=) in PKCS#1 form; otherwise `record` unchanged (libopendkim reports its own errors).
std::string normalize_key_record(std::string_view record);

}  // namespace authmilter::dkim
