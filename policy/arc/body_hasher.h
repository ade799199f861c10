// body_hasher.h - streaming body canonicalization and SHA-256 (RFC 6376 §3.4.3, §3.4.4, §3.5 l=).
//
// One BodyHasher per distinct (canonicalization, l=) among the ARC-Message-Signatures that are
// verified. update() takes body bytes already CRLF-normalized (dkim::BodyNormalizer); nothing is
// stored but a count of pending empty lines and one pending space, so memory stays constant
// whatever the body size. finish() applies the end-of-body rules (simple: exactly one CRLF at
// the end, an empty body is CRLF; relaxed: trailing empty lines dropped, an empty body stays
// empty) and returns the digest of the first l= bytes (all, without l=).
// Owns its OpenSSL digest context (RAII). Not thread-safe; movable.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arc/header_canonicalization.h"
#include "common/c_handle.h"

namespace authmilter::arc {

using DigestContext = CHandle<EVP_MD_CTX, EVP_MD_CTX_free>;

struct BodyDigest {
  std::vector<unsigned char> digest;   // empty if OpenSSL failed
  std::uint64_t canonical_length = 0;  // bytes of the whole canonical body
  bool shorter_than_limit = false;     // l= asked for more than the canonical body holds
};

class BodyHasher {
 public:
  BodyHasher(Canonicalization canonicalization, std::optional<std::uint64_t> length_limit);

  void update(std::string_view normalized);
  BodyDigest finish();

  Canonicalization canonicalization() const { return canonicalization_; }
  std::optional<std::uint64_t> length_limit() const { return limit_; }

 private:
  void emit(std::string_view bytes);
  void content(char c);
  void flush_output();

  Canonicalization canonicalization_;
  std::optional<std::uint64_t> limit_;
  DigestContext context_;
  bool ok_ = false;
  bool pending_cr_ = false;
  bool pending_space_ = false;
  bool any_content_ = false;
  std::uint64_t pending_crlfs_ = 0;
  std::uint64_t length_ = 0;  // canonical bytes produced so far
  std::string output_;        // canonical bytes not yet hashed (flushed per update)
};

}  // namespace authmilter::arc
