// arc_result.h - the outcome of validating one message's ARC chain (RFC 8617), in RFC 8601 words.
//
// ArcVerifier::finish() returns one ArcResult. The codes (RFC 8617 §4.4, §5.2; the AR method
// "arc", RFC 8617 §7.2 / the IANA registry):
//   none      - the message carries no ARC header field at all (cv of a first sealer: none).
//   pass      - the chain is complete and structurally valid (instances 1..N, one AS, AMS and
//               AAR each, cv=none at i=1 and pass above), the newest AMS (i=N) verifies, and
//               every ARC-Seal verifies.
//   fail      - anything else that is not a DNS failure: structure broken, a seal saying
//               cv=fail, a signature that does not verify, a missing or unusable key, t= in the
//               future or an expired x=, a header field over its size bound, more than
//               kMaxArcInstances instances.
//   temperror - a key lookup for a signature the verdict depends on failed temporarily
//               (SERVFAIL, timeout, the per-message DNS budget). Never pass.
// `instances` describes the sets found (instance order, 1 first) when the structure could be
// read, for the AR clause (as.N.d / as.N.s / ams.N.d ...) and for policy that reads a trusted
// sealer's ARC-Authentication-Results.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace authmilter::arc {

// RFC 8617 §4.2.1: "The maximum value for i is 50."
inline constexpr std::size_t kMaxArcInstances = 50;

enum class ArcCode { none, pass, fail, temperror };

const char* to_string(ArcCode code);

// DNSSEC status of a key answer, when the resolver validates (dns has a trust anchor).
enum class KeyDnssec { unknown, secure, insecure, bogus };

const char* to_string(KeyDnssec status);  // "secure", ...; "" for unknown (not validated)

struct ArcSignatureFacts {
  std::string domain;    // d=, lower-case
  std::string selector;  // s=
  std::string algorithm;
  unsigned key_bits = 0;  // 0 when the key was not fetched or unusable
  KeyDnssec dnssec = KeyDnssec::unknown;
  bool verified = false;  // the signature was checked and holds
};

struct ArcInstance {
  unsigned instance = 0;         // i=
  std::string chain_validation;  // the seal's cv= as written, lower-case ("none", "pass", ...)
  ArcSignatureFacts seal;        // ARC-Seal
  ArcSignatureFacts message;     // ARC-Message-Signature
  std::string authentication_results;  // the ARC-Authentication-Results value after "i=N;"
};

struct ArcResult {
  ArcCode code = ArcCode::none;
  std::string reason;                  // short, for the AR comment and the log; empty on pass
  std::vector<ArcInstance> instances;  // in instance order; empty when the structure is unusable
  unsigned oldest_pass = 0;            // lowest i whose AMS verifies (header.oldest-pass); 0 = none
};

}  // namespace authmilter::arc
