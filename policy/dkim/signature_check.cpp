#include "dkim/signature_check.h"

#include <string_view>

#include "common/ascii.h"
#include "dkim/dkim_base64.h"
#include "dkim/signature_crypto.h"

namespace authmilter::dkim {

namespace {

std::string_view tag_value(DKIM_SIGINFO* signature, const char* name) {
  // dkim_sig_gettagvalue() takes a non-const name it never writes.
  const unsigned char* value = dkim_sig_gettagvalue(
      signature, false, reinterpret_cast<unsigned char*>(const_cast<char*>(name)));
  return value == nullptr ? std::string_view{} : reinterpret_cast<const char*>(value);
}

// t=s (RFC 6376 §3.6.1): the domain of i= must be d= itself, compared as libopendkim did.
bool identity_outside_signing_domain(DKIM_SIGINFO* signature) {
  const std::string_view identity = tag_value(signature, "i");
  const std::string_view domain = tag_value(signature, "d");
  if (identity.empty() || domain.empty()) return false;
  const std::size_t at = identity.find('@');
  const std::string_view identity_domain =
      at == std::string_view::npos ? identity : identity.substr(at + 1);
  return !equal_ignoring_case(identity_domain, domain);
}

}  // namespace

SignatureState check_signature(DKIM_SIGINFO* signature, const FetchedKey& key) {
  if (key.error != DKIM_SIGERROR_OK) return {key.error, false, DKIM_SIGBH_UNTESTED};
  if (key.key == nullptr || !key.key->usable()) {
    return {DKIM_SIGERROR_KEYDECODE, false, DKIM_SIGBH_UNTESTED};
  }
  void* header_digest = nullptr;
  void* body_digest = nullptr;
  std::size_t header_length = 0, body_length = 0;
  if (dkim_sig_gethashes(signature, &header_digest, &header_length, &body_digest, &body_length) !=
          DKIM_STAT_OK ||
      header_digest == nullptr || body_digest == nullptr) {
    return {};
  }
  dkim_alg_t algorithm = DKIM_SIGN_UNKNOWN;
  (void)dkim_sig_getsignalg(signature, &algorithm);
  const std::string_view b_tag = tag_value(signature, "b");
  const auto signature_bytes = decode_base64_leniently(b_tag, b_tag.size());
  const bool passed =
      signature_bytes.has_value() &&
      verify_header_digest(*key.key, algorithm,
                           {static_cast<const unsigned char*>(header_digest), header_length},
                           *signature_bytes);
  if (key.same_domain_only && identity_outside_signing_domain(signature)) {
    return {DKIM_SIGERROR_SUBDOMAIN, passed, DKIM_SIGBH_UNTESTED};
  }
  if (!passed) return {DKIM_SIGERROR_BADSIG, false, DKIM_SIGBH_UNTESTED};
  if (body_hash_matches({static_cast<const unsigned char*>(body_digest), body_length},
                        tag_value(signature, "bh"))) {
    return {DKIM_SIGERROR_OK, true, DKIM_SIGBH_MATCH};
  }
  return {DKIM_SIGERROR_BADSIG, true, DKIM_SIGBH_MISMATCH};
}

}  // namespace authmilter::dkim
