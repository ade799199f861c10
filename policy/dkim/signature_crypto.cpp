#include "dkim/signature_crypto.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <string>

#include "dkim/dkim_base64.h"
#include "dkim/tag_list.h"

namespace authmilter::dkim {

namespace {

using PkeyContext = CHandle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using DigestContext = CHandle<EVP_MD_CTX, EVP_MD_CTX_free>;

bool verify_rsa(EVP_PKEY* key, dkim_alg_t algorithm, std::span<const unsigned char> digest,
                std::span<const unsigned char> signature) {
  PkeyContext context(EVP_PKEY_CTX_new(key, nullptr));
  const EVP_MD* md = algorithm == DKIM_SIGN_RSASHA1 ? EVP_sha1() : EVP_sha256();
  return context != nullptr && EVP_PKEY_verify_init(context.get()) == 1 &&
         EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_PADDING) == 1 &&
         EVP_PKEY_CTX_set_signature_md(context.get(), md) == 1 &&
         EVP_PKEY_verify(context.get(), signature.data(), signature.size(), digest.data(),
                         digest.size()) == 1;
}

bool verify_ed25519(EVP_PKEY* key, std::span<const unsigned char> digest,
                    std::span<const unsigned char> signature) {
  DigestContext context(EVP_MD_CTX_new());
  // PureEdDSA: no digest of ours (NULL md); the "message" is the SHA-256 header digest.
  return context != nullptr &&
         EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key) == 1 &&
         EVP_DigestVerify(context.get(), signature.data(), signature.size(), digest.data(),
                          digest.size()) == 1;
}

}  // namespace

bool verify_header_digest(const PublicKey& key, dkim_alg_t algorithm,
                          std::span<const unsigned char> digest,
                          std::span<const unsigned char> signature) {
  if (!key.usable() || digest.empty() || signature.empty()) return false;
  bool verified = false;
  if (algorithm == DKIM_SIGN_ED25519SHA256) {
    verified = key.type == KeyType::ed25519 && verify_ed25519(key.key.get(), digest, signature);
  } else if (algorithm == DKIM_SIGN_RSASHA256 || algorithm == DKIM_SIGN_RSASHA1) {
    verified = key.type == KeyType::rsa && verify_rsa(key.key.get(), algorithm, digest, signature);
  }
  // A bad signature leaves reasons in this thread's queue; nobody reads them.
  if (!verified) ERR_clear_error();
  return verified;
}

bool body_hash_matches(std::span<const unsigned char> body_digest, std::string_view bh_tag) {
  const std::string expected = encode_base64(body_digest);
  const std::string given = strip_whitespace(bh_tag);
  return !body_digest.empty() && given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

}  // namespace authmilter::dkim
