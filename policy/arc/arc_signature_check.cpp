#include "arc/arc_signature_check.h"

#include <openssl/evp.h>

#include <map>
#include <optional>

#include "dkim/dkim_base64.h"
#include "dkim/signature_crypto.h"

namespace authmilter::arc {

namespace {

// RSA-8192 signatures are 1 KiB; anything longer is not a signature we can check.
constexpr std::size_t kMaxSignatureBytes = 2048;

std::string without_trailing_crlf(std::string text) {
  if (text.size() >= 2 && text.compare(text.size() - 2, 2, "\r\n") == 0)
    text.resize(text.size() - 2);
  return text;
}

}  // namespace

std::string message_signature_input(std::span<const StoredField> headers,
                                    std::size_t signature_field,
                                    const ArcMessageSignatureFields& signature) {
  const unsigned instance = signature.instance;
  // Candidates: what the sealer of `instance` saw (see the header comment).
  std::vector<bool> candidate(headers.size(), true);
  for (std::size_t k = 0; k < headers.size(); ++k) {
    const StoredField& field = headers[k];
    if (k == signature_field) candidate[k] = false;
    if (!field.kind) continue;
    if (field.instance > instance) candidate[k] = false;
    if (field.instance == instance && *field.kind == ArcFieldKind::seal) candidate[k] = false;
  }
  // Candidates by name, bottom-up: one pass over the fields, then one step per h= entry, so a
  // hostile h= of thousands of names costs no more than the fields and names themselves.
  std::map<std::string_view, std::vector<std::size_t>> by_name;
  for (std::size_t k = headers.size(); k-- > 0;) {
    if (candidate[k]) by_name[headers[k].key].push_back(k);
  }
  std::map<std::string_view, std::size_t> used;  // name -> fields already taken
  std::string input;
  for (const std::string& name : signature.signed_headers) {
    const auto found = by_name.find(name);
    if (found == by_name.end()) continue;
    std::size_t& taken = used[found->first];
    if (taken >= found->second.size()) continue;  // over-signed: contributes nothing
    const StoredField& field = headers[found->second[taken++]];
    input += canonicalize_header(field.name, field.value, signature.header_canonicalization);
  }
  const StoredField& own = headers[signature_field];
  input += without_trailing_crlf(canonicalize_header(own.name, without_signature_value(own.value),
                                                     signature.header_canonicalization));
  return input;
}

std::string seal_input(std::span<const StoredField> headers,
                       std::span<const ArcSetIndex> set_fields, unsigned instance) {
  std::string input;
  for (unsigned k = 1; k <= instance && k <= set_fields.size(); ++k) {
    const ArcSetIndex& set = set_fields[k - 1];
    for (std::size_t index : {set.authentication_results, set.message_signature}) {
      input +=
          canonicalize_header(headers[index].name, headers[index].value, Canonicalization::relaxed);
    }
    const StoredField& seal = headers[set.seal];
    if (k == instance) {
      input += without_trailing_crlf(canonicalize_header(
          seal.name, without_signature_value(seal.value), Canonicalization::relaxed));
    } else {
      input += canonicalize_header(seal.name, seal.value, Canonicalization::relaxed);
    }
  }
  return input;
}

std::vector<unsigned char> sha256(std::string_view data) {
  std::vector<unsigned char> digest(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  digest.resize(size);
  return digest;
}

Result<dkim_alg_t> signature_algorithm(std::string_view algorithm) {
  if (algorithm == "rsa-sha256") return DKIM_SIGN_RSASHA256;
  if (algorithm == "ed25519-sha256") return DKIM_SIGN_ED25519SHA256;
  if (algorithm == "rsa-sha1") return Error{"rsa-sha1 not accepted (RFC 8301)"};
  return Error{"unknown algorithm a=" + std::string(algorithm)};
}

SignatureCheck check_signature(ArcKeyLookup& keys, const ArcSignatureFields& signature,
                               std::string_view signed_data, ArcSignatureFacts& facts) {
  SignatureCheck check;
  facts.domain = signature.domain;
  facts.selector = signature.selector;
  facts.algorithm = signature.algorithm;
  const Result<dkim_alg_t> algorithm = signature_algorithm(signature.algorithm);
  if (!algorithm) {
    check.reason = algorithm.error();
    return check;
  }
  const ArcKey key = keys.get(signature.selector, signature.domain, *algorithm);
  facts.key_bits = key.bits;
  facts.dnssec = key.dnssec;
  if (key.status != ArcKey::Status::ok) {
    check.status = key.status;
    check.reason = key.reason;
    return check;
  }
  const auto decoded = dkim::decode_base64_leniently(signature.signature, kMaxSignatureBytes);
  if (!decoded || decoded->empty()) {
    check.reason = "b= is not base64";
    return check;
  }
  const std::vector<unsigned char> digest = sha256(signed_data);
  if (digest.empty() || !dkim::verify_header_digest(*key.key, *algorithm, digest, *decoded)) {
    check.reason = "signature mismatch";
    return check;
  }
  facts.verified = true;
  check.status = ArcKey::Status::ok;
  return check;
}

}  // namespace authmilter::arc
