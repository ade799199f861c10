// dkim_options.h - what a DKIM verifier accepts and how much work one message may cost.
//
// Plain values, filled by conf/ from YAML; defaults follow RFC 8301. Shared read-only by every
// verifier created from one DkimLibrary.
#pragma once

#include <cstddef>

namespace authmilter::dkim {

// RFC 8301 §3.2: verifiers MUST NOT consider signatures with RSA keys under 1024 bits valid.
inline constexpr unsigned kRfc8301MinRsaKeyBits = 1024;
// Work bound: signatures verified per message. RFC 6376 §6.1 lets verifiers limit the number of
// signatures they try; 10 covers real mail (mailing lists add 2 or 3).
inline constexpr std::size_t kDefaultMaxSignatures = 10;
// A DKIM-Signature field longer than this is not parsed at all (permerror). Real ones are under
// 2 KiB even with z= copies; RFC 5322 §2.1.1 caps a line at 998 characters, folding aside.
inline constexpr std::size_t kDefaultMaxSignatureHeaderLength = std::size_t{16} * 1024;
// Bounds on the header section we hash (see dkim_verifier.h); conf/ sets them from the `limits:`
// section so that DKIM and the message limits (evaluation/message_limits.h) agree.
inline constexpr std::size_t kDefaultMaxHeaderFields = 1000;
inline constexpr std::size_t kDefaultMaxHeaderBytes = std::size_t{1024} * 1024;

// Decoded public keys kept by the process (public_key_cache.h). Each holds an EVP_PKEY of a few
// KiB at most; 1000 covers the signing domains a busy server sees in a TTL, and is bounded.
inline constexpr std::size_t kDefaultKeyCacheEntries = 1000;

struct DkimOptions {
  bool accept_rsa_sha1 = false;  // RFC 8301 §3.1: verifiers MUST NOT consider rsa-sha1 valid
  unsigned min_rsa_key_bits = kRfc8301MinRsaKeyBits;
  std::size_t max_signatures = kDefaultMaxSignatures;  // beyond: not verified, code policy
  std::size_t max_signature_header_length = kDefaultMaxSignatureHeaderLength;  // beyond: permerror
  std::size_t max_header_fields = kDefaultMaxHeaderFields;  // beyond: every signature permerror
  std::size_t max_header_bytes = kDefaultMaxHeaderBytes;    // beyond: every signature permerror
  std::size_t key_cache_entries = kDefaultKeyCacheEntries;  // decoded keys, least recent dropped
};

}  // namespace authmilter::dkim
