// signed_zone_support.h - a DNSSEC-signed zone made at test time, for validating tests.
//
// SignedZone::create() writes the zone text into a fresh temp dir, makes one ECDSA P-256 key
// (ldns-keygen, flags 257: it signs both the DNSKEY set and the data) and signs the zone with
// ldns-signzone (package ldnsutils, installed by contrib/setup-debian.sh --with-tests). Then,
// for each `forged` (owner name, old text, new text), it replaces the text in that owner's
// record of the signed file, so that its RRSIG no longer matches: a bogus answer. The signed
// file is served by a TestUnbound auth-zone (auth_zone_section()); anchor_file() holds the
// key's DS record, the trust anchor for ResolverOptions::trust_anchor_file. Errors carry the
// tools' output; tests must fail on them, never skip. The destructor removes the directory.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace authmilter::testing {

struct ForgedRecord {
  std::string owner;  // absolute, with the trailing dot, as ldns-signzone writes it
  std::string from;   // text in that owner's signed record
  std::string to;     // what it becomes
};

class SignedZone {
 public:
  static Result<std::unique_ptr<SignedZone>> create(const std::string& origin,
                                                    const std::string& zone_text,
                                                    const std::vector<ForgedRecord>& forged = {});
  ~SignedZone();
  SignedZone(const SignedZone&) = delete;
  SignedZone& operator=(const SignedZone&) = delete;

  const std::string& signed_file() const { return signed_file_; }
  const std::string& anchor_file() const { return anchor_file_; }
  // "auth-zone:" section serving the signed file to clients (for TestUnbound's extra sections).
  std::string auth_zone_section() const;

 private:
  SignedZone(std::string origin, std::string directory)
      : origin_(std::move(origin)), directory_(std::move(directory)) {}

  std::string origin_;  // with the trailing dot
  std::string directory_;
  std::string signed_file_;
  std::string anchor_file_;
};

}  // namespace authmilter::testing
