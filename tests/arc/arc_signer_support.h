// arc_signer_support.h - a minimal ARC sealer for the tests (keys made with OpenSSL at run time).
//
// add_arc_set() prepends one ARC set (AS, AMS, AAR) to a CRLF message the way a sealer does
// (RFC 8617 §5.1): AAR first, then the AMS over h= and the body, then the seal over every set.
// It builds the hash inputs with the verifier's own canonicalization functions, so it checks the
// verifier's key, time, structure and streaming logic, not its canonicalization (the ValiMail
// suite and the dkimpy differential tests do that). Knobs let tests produce broken sets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "arc/header_canonicalization.h"
#include "dkim/public_key.h"

namespace authmilter::arc::testing {

struct TestKey {
  dkim::EvpPkeyHandle key;  // private
  std::string record;       // the TXT record publishing the public half
  bool ed25519 = false;
};

TestKey make_rsa_key(int bits);
TestKey make_ed25519_key();

struct SealSpec {
  unsigned instance = 1;
  const TestKey* key = nullptr;
  std::string domain = "example.org";
  std::string selector = "sel";
  std::string algorithm;  // empty: rsa-sha256 or ed25519-sha256 by the key
  std::string cv;         // empty: none for i=1, pass above
  std::string timestamp = "1483228000";
  std::optional<std::string> expiration;
  Canonicalization header_canonicalization = Canonicalization::relaxed;
  Canonicalization body_canonicalization = Canonicalization::relaxed;
  std::string signed_headers = "from:to:subject:arc-authentication-results";
  std::optional<std::uint64_t> body_length;
  std::string authentication_results = "mx.example.net; spf=pass smtp.mailfrom=example.org";
};

std::string add_arc_set(const std::string& message, const SealSpec& spec);

// A small CRLF test message.
std::string plain_message();

}  // namespace authmilter::arc::testing
