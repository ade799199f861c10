#include "dkim/public_key.h"

#include <openssl/err.h>
#include <openssl/x509.h>

namespace authmilter::dkim {

namespace {

constexpr unsigned kEd25519KeyBits = 256;  // RFC 8032 §5.1.5

EvpPkeyHandle decode_rsa(std::span<const unsigned char> der) {
  const unsigned char* cursor = der.data();
  EvpPkeyHandle key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  // Another algorithm's SubjectPublicKeyInfo decodes too; libopendkim then failed to get RSA.
  if (key != nullptr && EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) key.reset();
  return key;
}

EvpPkeyHandle decode_ed25519(std::span<const unsigned char> raw) {
  return EvpPkeyHandle(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size()));
}

}  // namespace

std::shared_ptr<const PublicKey> decode_public_key(KeyType type,
                                                   std::span<const unsigned char> key_data) {
  auto decoded = std::make_shared<PublicKey>();
  decoded->type = type;
  if (key_data.empty()) return decoded;
  if (type == KeyType::ed25519) {
    decoded->key = decode_ed25519(key_data);
    if (decoded->key != nullptr) decoded->bits = kEd25519KeyBits;
  } else {
    decoded->key = decode_rsa(key_data);
    // libopendkim reported 8 * RSA_size(): the modulus length rounded up to whole bytes.
    if (decoded->key != nullptr) {
      decoded->bits = 8u * static_cast<unsigned>(EVP_PKEY_get_size(decoded->key.get()));
    }
  }
  // A failed decode leaves reasons in this thread's queue; nobody reads them.
  if (decoded->key == nullptr) ERR_clear_error();
  return decoded;
}

}  // namespace authmilter::dkim
