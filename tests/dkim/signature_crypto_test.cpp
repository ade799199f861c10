// signature_crypto: RSA PKCS#1 v1.5 and Ed25519 (RFC 8463) over a header digest, each checked to
// pass with the right key and algorithm and to fail with anything changed; bh= comparison.
#include "dkim/signature_crypto.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <vector>

#include "dkim/dkim_base64.h"

namespace authmilter::dkim {
namespace {

using Bytes = std::vector<unsigned char>;
using PkeyContext = CHandle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using DigestContext = CHandle<EVP_MD_CTX, EVP_MD_CTX_free>;

Bytes digest_of(const EVP_MD* md, std::string_view text) {
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int length = 0;
  EXPECT_EQ(EVP_Digest(text.data(), text.size(), out.data(), &length, md, nullptr), 1);
  return out;
}

Bytes rsa_sign(EVP_PKEY* key, const EVP_MD* md, const Bytes& digest) {
  PkeyContext context(EVP_PKEY_CTX_new(key, nullptr));
  EXPECT_EQ(EVP_PKEY_sign_init(context.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_PADDING), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_signature_md(context.get(), md), 1);
  std::size_t length = 0;
  EXPECT_EQ(EVP_PKEY_sign(context.get(), nullptr, &length, digest.data(), digest.size()), 1);
  Bytes signature(length);
  EXPECT_EQ(EVP_PKEY_sign(context.get(), signature.data(), &length, digest.data(), digest.size()),
            1);
  signature.resize(length);
  return signature;
}

Bytes ed25519_sign(EVP_PKEY* key, const Bytes& digest) {
  DigestContext context(EVP_MD_CTX_new());
  EXPECT_EQ(EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key), 1);
  Bytes signature(64);
  std::size_t length = signature.size();
  EXPECT_EQ(EVP_DigestSign(context.get(), signature.data(), &length, digest.data(), digest.size()),
            1);
  return signature;
}

// The public half as the cache would hold it, decoded from what a key record publishes.
std::shared_ptr<const PublicKey> public_half(EVP_PKEY* key, KeyType type) {
  Bytes published;
  if (type == KeyType::rsa) {
    unsigned char* der = nullptr;
    const int length = i2d_PUBKEY(key, &der);
    published.assign(der, der + length);
    OPENSSL_free(der);
  } else {
    published.resize(32);
    std::size_t length = published.size();
    EXPECT_EQ(EVP_PKEY_get_raw_public_key(key, published.data(), &length), 1);
  }
  return decode_public_key(type, published);
}

class SignatureCrypto : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_.reset(EVP_RSA_gen(2048));
    ed25519_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  }
  static inline CHandle<EVP_PKEY, EVP_PKEY_free> rsa_;
  static inline CHandle<EVP_PKEY, EVP_PKEY_free> ed25519_;
};

TEST_F(SignatureCrypto, RsaSha256PassesAndFailsOnAnyChange) {
  const auto key = public_half(rsa_.get(), KeyType::rsa);
  ASSERT_TRUE(key->usable());
  EXPECT_EQ(key->bits, 2048u);
  const Bytes digest = digest_of(EVP_sha256(), "header data");
  Bytes signature = rsa_sign(rsa_.get(), EVP_sha256(), digest);
  EXPECT_TRUE(verify_header_digest(*key, DKIM_SIGN_RSASHA256, digest, signature));
  EXPECT_FALSE(verify_header_digest(*key, DKIM_SIGN_RSASHA256,
                                    digest_of(EVP_sha256(), "header datA"), signature));
  // The DigestInfo names SHA-256: the same bytes claimed as rsa-sha1 must not verify.
  EXPECT_FALSE(verify_header_digest(*key, DKIM_SIGN_RSASHA1, digest, signature));
  EXPECT_FALSE(verify_header_digest(*key, DKIM_SIGN_ED25519SHA256, digest, signature));
  signature[10] ^= 0x01;
  EXPECT_FALSE(verify_header_digest(*key, DKIM_SIGN_RSASHA256, digest, signature));
  EXPECT_EQ(ERR_peek_error(), 0u);  // failures leave no stale OpenSSL errors behind
}

TEST_F(SignatureCrypto, RsaSha1VerifiesWithItsOwnDigest) {
  const auto key = public_half(rsa_.get(), KeyType::rsa);
  const Bytes digest = digest_of(EVP_sha1(), "header data");
  const Bytes signature = rsa_sign(rsa_.get(), EVP_sha1(), digest);
  EXPECT_TRUE(verify_header_digest(*key, DKIM_SIGN_RSASHA1, digest, signature));
  EXPECT_FALSE(verify_header_digest(*key, DKIM_SIGN_RSASHA256, digest, signature));
}

TEST_F(SignatureCrypto, Ed25519SignsTheDigestItselfAndFailsOnAnyChange) {
  const auto key = public_half(ed25519_.get(), KeyType::ed25519);
  ASSERT_TRUE(key->usable());
  const Bytes digest = digest_of(EVP_sha256(), "header data");
  Bytes signature = ed25519_sign(ed25519_.get(), digest);
  EXPECT_TRUE(verify_header_digest(*key, DKIM_SIGN_ED25519SHA256, digest, signature));
  EXPECT_FALSE(verify_header_digest(*key, DKIM_SIGN_RSASHA256, digest, signature));
  EXPECT_FALSE(verify_header_digest(*key, DKIM_SIGN_ED25519SHA256,
                                    digest_of(EVP_sha256(), "header datA"), signature));
  signature[0] ^= 0x80;
  EXPECT_FALSE(verify_header_digest(*key, DKIM_SIGN_ED25519SHA256, digest, signature));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(SignatureCrypto, UnusableKeyNeverVerifies) {
  const PublicKey nothing;
  const Bytes digest = digest_of(EVP_sha256(), "header data");
  EXPECT_FALSE(verify_header_digest(nothing, DKIM_SIGN_RSASHA256, digest,
                                    rsa_sign(rsa_.get(), EVP_sha256(), digest)));
}

TEST(BodyHash, MatchesTheEncodedDigestOnly) {
  const Bytes digest = digest_of(EVP_sha256(), "body");
  const std::string bh = encode_base64(digest);
  EXPECT_TRUE(body_hash_matches(digest, bh));
  EXPECT_TRUE(body_hash_matches(digest, bh.substr(0, 10) + " \r\n\t" + bh.substr(10)));
  std::string altered = bh;
  altered[5] = altered[5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(body_hash_matches(digest, altered));
  EXPECT_FALSE(body_hash_matches(digest, bh.substr(0, bh.size() - 1)));  // padding matters
  EXPECT_FALSE(body_hash_matches(digest, ""));
  EXPECT_FALSE(body_hash_matches({}, ""));
}

TEST(DkimBase64, DecodesAsLibopendkimDid) {
  EXPECT_EQ(decode_base64_leniently("aGVsbG8=", 64), (Bytes{'h', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(decode_base64_leniently("aGV s\r\nbG8!", 64), (Bytes{'h', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(decode_base64_leniently("aGVs=bG8", 64), (Bytes{'h', 'e', 'l'}));  // '=' ends it
  EXPECT_FALSE(decode_base64_leniently("aGVsb", 64).has_value());              // 6 bits left over
  EXPECT_FALSE(decode_base64_leniently("aGVsbG8=", 4).has_value());            // over the bound
  EXPECT_EQ(decode_base64_leniently("", 4), Bytes{});
  EXPECT_EQ(encode_base64(Bytes{'h', 'e', 'l', 'l', 'o'}), "aGVsbG8=");
}

}  // namespace
}  // namespace authmilter::dkim
