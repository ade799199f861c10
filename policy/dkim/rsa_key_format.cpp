#include "dkim/rsa_key_format.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <vector>

#include "common/c_handle.h"
#include "dkim/tag_list.h"

namespace authmilter::dkim {

namespace {

using EvpPkey = CHandle<EVP_PKEY, EVP_PKEY_free>;

std::optional<std::vector<unsigned char>> decode_base64(std::string_view text) {
  if (text.empty() || text.size() > kMaxKeyBase64Length || text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::vector<unsigned char> out(text.size() / 4 * 3);
  const int length =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (length < 0) return std::nullopt;
  // EVP_DecodeBlock counts the bytes '=' padding stands for; drop them.
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(length) - padding);
  return out;
}

std::string encode_base64(const std::vector<unsigned char>& der) {
  std::string out(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), der.data(),
                                     static_cast<int>(der.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

// Reads one DER tag + definite length at `at`; returns the offset of the contents, or npos.
std::size_t skip_header(const std::vector<unsigned char>& der, std::size_t at) {
  if (at + 2 > der.size()) return std::string::npos;
  std::size_t length_octets = 0;
  if (der[at + 1] & 0x80) length_octets = der[at + 1] & 0x7f;
  if (length_octets > 4 || at + 2 + length_octets > der.size()) return std::string::npos;
  return at + 2 + length_octets;
}

// DER shape, without decoding the key: a SubjectPublicKeyInfo (RFC 5280 §4.1) is a SEQUENCE
// whose first element is the AlgorithmIdentifier SEQUENCE; a PKCS#1 RSAPublicKey (RFC 8017
// A.1.1) is a SEQUENCE whose first element is the modulus INTEGER. Asking OpenSSL 3 instead
// (d2i_PUBKEY) runs its provider decoder chain, which the profile showed at 11% of the milter.
constexpr unsigned char kDerSequence = 0x30;
constexpr unsigned char kDerInteger = 0x02;

bool looks_like_pkcs1(const std::vector<unsigned char>& der) {
  if (der.empty() || der[0] != kDerSequence) return false;
  const std::size_t inner = skip_header(der, 0);
  return inner != std::string::npos && inner < der.size() && der[inner] == kDerInteger;
}

}  // namespace

std::optional<std::string> pkcs1_to_spki_base64(std::string_view base64_der) {
  const auto der = decode_base64(base64_der);
  if (!der || !looks_like_pkcs1(*der)) return std::nullopt;
  const unsigned char* cursor = der->data();
  EvpPkey key(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &cursor, static_cast<long>(der->size())));
  // Trailing bytes after the RSAPublicKey mean it is something else: leave it to libopendkim.
  if (key == nullptr || cursor != der->data() + der->size()) return std::nullopt;
  const int length = i2d_PUBKEY(key.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::vector<unsigned char> spki(static_cast<std::size_t>(length));
  unsigned char* out = spki.data();
  if (i2d_PUBKEY(key.get(), &out) != length) return std::nullopt;
  return encode_base64(spki);
}

std::string normalize_key_record(std::string_view record) {
  const auto tags = parse_tag_list(record);
  if (!tags) return std::string(record);
  const std::string* type = find_tag(*tags, "k");
  const std::string* key = find_tag(*tags, "p");
  if ((type != nullptr && *type != "rsa") || key == nullptr) return std::string(record);
  const auto spki = pkcs1_to_spki_base64(strip_whitespace(*key));
  if (!spki) return std::string(record);
  std::string rebuilt;
  for (const Tag& tag : *tags) {
    rebuilt += tag.name + "=" + (tag.name == "p" ? *spki : tag.value) + "; ";
  }
  return rebuilt;
}

}  // namespace authmilter::dkim
