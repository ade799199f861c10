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

bool is_spki(const std::vector<unsigned char>& der) {
  const unsigned char* cursor = der.data();
  EvpPkey key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  return key != nullptr;
}

}  // namespace

std::optional<std::string> pkcs1_to_spki_base64(std::string_view base64_der) {
  const auto der = decode_base64(base64_der);
  if (!der || is_spki(*der)) return std::nullopt;
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
