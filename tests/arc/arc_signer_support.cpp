#include "arc_signer_support.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <vector>

#include "arc/arc_chain_structure.h"
#include "arc/arc_header_parse.h"
#include "arc/arc_header_store.h"
#include "arc/arc_signature_check.h"
#include "arc/body_hasher.h"
#include "arc_test_support.h"
#include "dkim/dkim_base64.h"

namespace authmilter::arc::testing {

namespace {

using PkeyContext = CHandle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using Bytes = std::vector<unsigned char>;

Bytes sign_digest(const TestKey& key, const Bytes& digest) {
  if (key.ed25519) {
    DigestContext context(EVP_MD_CTX_new());
    EXPECT_EQ(EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key.key.get()), 1);
    Bytes signature(64);
    std::size_t length = signature.size();
    EXPECT_EQ(
        EVP_DigestSign(context.get(), signature.data(), &length, digest.data(), digest.size()), 1);
    return signature;
  }
  PkeyContext context(EVP_PKEY_CTX_new(key.key.get(), nullptr));
  EXPECT_EQ(EVP_PKEY_sign_init(context.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_PADDING), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_signature_md(context.get(), EVP_sha256()), 1);
  std::size_t length = 0;
  EXPECT_EQ(EVP_PKEY_sign(context.get(), nullptr, &length, digest.data(), digest.size()), 1);
  Bytes signature(length);
  EXPECT_EQ(EVP_PKEY_sign(context.get(), signature.data(), &length, digest.data(), digest.size()),
            1);
  signature.resize(length);
  return signature;
}

StoredField stored(std::string name, std::string value) {
  StoredField field;
  field.kind = arc_field_kind(name);
  field.key = field_key(name);
  field.name = std::move(name);
  field.value = std::move(value);
  if (field.kind == ArcFieldKind::seal) field.instance = parse_arc_seal(field.value).instance;
  if (field.kind == ArcFieldKind::message_signature) {
    field.instance = parse_arc_message_signature(field.value).instance;
  }
  if (field.kind == ArcFieldKind::authentication_results) {
    field.instance = parse_arc_authentication_results(field.value).instance;
  }
  return field;
}

// Header fields of a CRLF message, values without their terminating CRLF.
std::vector<StoredField> fields_of(const MessageParts& parts) {
  std::vector<StoredField> fields;
  for (const auto& [name, value] : parts.headers) {
    std::string trimmed = value;
    if (trimmed.size() >= 2 && trimmed.compare(trimmed.size() - 2, 2, "\r\n") == 0) {
      trimmed.resize(trimmed.size() - 2);
    }
    fields.push_back(stored(name, trimmed));
  }
  return fields;
}

}  // namespace

TestKey make_rsa_key(int bits) {
  TestKey key;
  key.key.reset(EVP_RSA_gen(static_cast<unsigned>(bits)));
  EXPECT_NE(key.key, nullptr);
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key.key.get(), &der);
  const Bytes spki(der, der + length);
  OPENSSL_free(der);
  key.record = "v=DKIM1; k=rsa; p=" + dkim::encode_base64(spki);
  return key;
}

TestKey make_ed25519_key() {
  TestKey key;
  key.ed25519 = true;
  key.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_NE(key.key, nullptr);
  Bytes raw(32);
  std::size_t length = raw.size();
  EXPECT_EQ(EVP_PKEY_get_raw_public_key(key.key.get(), raw.data(), &length), 1);
  key.record = "v=DKIM1; k=ed25519; p=" + dkim::encode_base64(raw);
  return key;
}

std::string plain_message() {
  return "From: Joe <joe@example.org>\r\n"
         "To: list@example.net\r\n"
         "Subject: hello\r\n"
         "Date: Sun, 1 Jan 2017 00:00:00 +0000\r\n"
         "\r\n"
         "Hello  world \r\n"
         "\r\n"
         "second line\r\n"
         "\r\n\r\n";
}

std::string add_arc_set(const std::string& message, const SealSpec& spec) {
  const MessageParts parts = split_message(message);
  std::vector<StoredField> fields = fields_of(parts);
  const std::string algorithm = !spec.algorithm.empty()
                                    ? spec.algorithm
                                    : (spec.key->ed25519 ? "ed25519-sha256" : "rsa-sha256");
  const std::string i = std::to_string(spec.instance);
  // AAR
  const std::string aar = " i=" + i + "; " + spec.authentication_results;
  fields.insert(fields.begin(), stored("ARC-Authentication-Results", aar));
  // AMS
  BodyHasher hasher(spec.body_canonicalization, spec.body_length);
  hasher.update(parts.body);
  const BodyDigest body = hasher.finish();
  std::string ams =
      " i=" + i + "; a=" + algorithm + "; c=" + to_string(spec.header_canonicalization) + "/" +
      to_string(spec.body_canonicalization) + "; d=" + spec.domain + "; s=" + spec.selector +
      "; t=" + spec.timestamp + ";" + (spec.expiration ? " x=" + *spec.expiration + ";" : "") +
      (spec.body_length ? " l=" + std::to_string(*spec.body_length) + ";" : "") +
      "\r\n\th=" + spec.signed_headers + "; bh=" + dkim::encode_base64(body.digest) + "; b=";
  fields.insert(fields.begin(), stored("ARC-Message-Signature", ams));
  const std::string ams_input =
      message_signature_input(fields, 0, parse_arc_message_signature(ams));
  ams += dkim::encode_base64(sign_digest(*spec.key, sha256(ams_input)));
  fields[0] = stored("ARC-Message-Signature", ams);
  // AS
  const std::string cv = !spec.cv.empty() ? spec.cv : (spec.instance == 1 ? "none" : "pass");
  std::string seal = " i=" + i + "; a=" + algorithm + "; cv=" + cv + "; d=" + spec.domain +
                     "; s=" + spec.selector + "; t=" + spec.timestamp + ";" +
                     (spec.expiration ? " x=" + *spec.expiration + ";" : "") + "\r\n\tb=";
  fields.insert(fields.begin(), stored("ARC-Seal", seal));
  std::vector<ArcSetIndex> sets(spec.instance);
  for (std::size_t k = 0; k < fields.size(); ++k) {
    const StoredField& field = fields[k];
    if (!field.kind || field.instance == 0 || field.instance > spec.instance) continue;
    ArcSetIndex& set = sets[field.instance - 1];
    if (*field.kind == ArcFieldKind::seal) set.seal = k;
    if (*field.kind == ArcFieldKind::message_signature) set.message_signature = k;
    if (*field.kind == ArcFieldKind::authentication_results) set.authentication_results = k;
  }
  seal +=
      dkim::encode_base64(sign_digest(*spec.key, sha256(seal_input(fields, sets, spec.instance))));
  return "ARC-Seal:" + seal + "\r\nARC-Message-Signature:" + ams +
         "\r\nARC-Authentication-Results:" + aar + "\r\n" + message;
}

}  // namespace authmilter::arc::testing
