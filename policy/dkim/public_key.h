// public_key.h - a DKIM public key decoded once into OpenSSL form (RFC 6376 §3.6.1, RFC 8463).
//
// decode_public_key() turns the bytes of p= into an EVP_PKEY: for rsa a DER
// SubjectPublicKeyInfo holding an RSA key (d2i_PUBKEY, OpenSSL 3's decoder: the step the
// PublicKeyCache exists to run once per key), for ed25519 the 32 raw key bytes. It never returns
// null: bytes that are not such a key give a PublicKey whose usable() is false (libopendkim's
// "unable to apply public key"), so that the failure can be cached like a key.
// A PublicKey is immutable once made; OpenSSL allows concurrent verification with one EVP_PKEY,
// so it is shared between threads through std::shared_ptr<const PublicKey>.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <span>

#include "common/c_handle.h"
#include "dkim/key_record_check.h"

namespace authmilter::dkim {

using EvpPkeyHandle = CHandle<EVP_PKEY, EVP_PKEY_free>;

struct PublicKey {
  KeyType type = KeyType::rsa;
  EvpPkeyHandle key;  // null: not a key of `type`
  unsigned bits = 0;  // RSA: 8 x modulus bytes, as libopendkim reported it; Ed25519: 256

  bool usable() const { return key != nullptr; }
};

std::shared_ptr<const PublicKey> decode_public_key(KeyType type,
                                                   std::span<const unsigned char> key_data);

}  // namespace authmilter::dkim
