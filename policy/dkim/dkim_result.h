// dkim_result.h - the outcome of verifying one DKIM-Signature (RFC 6376), in RFC 8601 words.
//
// DkimVerifier::finish() returns one DkimResult per DKIM-Signature header field, in header order;
// an empty vector means the message is unsigned (dkim=none). Each result carries what an
// Authentication-Results header (RFC 8601 §2.7.1: header.d, header.i, header.s, header.a,
// header.b per RFC 6008) and an aggregate report need, plus a short reason for the AR comment.
//
// How the codes are chosen (RFC 8601 §2.7.1):
//   pass      - signature and body hash verified, key acceptable under DkimOptions.
//   fail      - cryptographic failure: header signature mismatch, body hash mismatch, or
//               l= larger than the body (RFC 6376 §3.5, §6.1.3).
//   policy    - verified or verifiable, but unacceptable by rule rather than by crypto:
//               rsa-sha1 (RFC 8301 §3.1), RSA key under the minimum (RFC 8301 §3.2), or not
//               verified because the message carries more than max_signatures signatures.
//   neutral   - the verifier could not evaluate the signature for a reason outside the
//               categories above (e.g. libopendkim left it unprocessed).
//   permerror - the signature or its key record is unusable: syntax, missing or unknown tags,
//               unsupported algorithm or query method, x= expired (RFC 6376 §3.5), t= in the
//               future, i= outside d=, key NXDOMAIN/NODATA ("no key"), key answer DNSSEC bogus
//               (kBogusKeyReason: a forged or broken key is no key), revoked (empty p=),
//               undecodable or oversized key, oversized signature header field.
//   temperror - key lookup SERVFAIL (other than bogus) or timeout; internal resource failure.
// A key marked t=y (testing) keeps its code; testing_key tells the caller (RFC 6376 §3.6.1).
// key_dnssec is what DNSSEC validation said about the key answer (also a negative one);
// unvalidated when the resolver has no trust anchor or no key was asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dns/dnssec_status.h"

namespace authmilter::dkim {

enum class DkimCode { pass, fail, neutral, policy, permerror, temperror };

const char* to_string(DkimCode code);

// The reason of a signature whose key answer was DNSSEC bogus.
inline constexpr const char* kBogusKeyReason = "no key (DNSSEC bogus)";

struct DkimResult {
  DkimCode code = DkimCode::neutral;
  std::string domain;            // d=
  std::string identity;          // i= (dkim-quoted-printable decoded), default "@" + d=
  std::string selector;          // s=
  std::string algorithm;         // a=
  std::string signature_prefix;  // first >= 8 characters of b=, unique in the message (RFC 6008)
  std::string reason;            // short, for the AR comment and the log; empty on pass
  std::optional<std::uint64_t> body_length;  // l=, when present and numeric
  bool testing_key = false;                  // key record has t=y
  unsigned key_bits = 0;                     // RSA modulus bits; 256 for Ed25519; 0 if unknown
  dns::DnssecStatus key_dnssec = dns::DnssecStatus::unvalidated;  // of the key answer
};

}  // namespace authmilter::dkim
