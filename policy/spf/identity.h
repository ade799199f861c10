// identity.h - the identity an SPF check is about (RFC 7208 §2.3, §2.4, §4.3).
//
// make_mail_from_identity() / make_helo_identity() turn the SMTP arguments into the
// <sender> and <domain> inputs of check_host(): local-part "postmaster" when missing, the
// HELO name for a null reverse path. `valid` is false when initial processing (RFC 7208 §4.3)
// finds the domain unusable; the check then ends with result "none" and `problem` says why.
#pragma once

#include <string>

#include "spf/spf.h"

namespace authmilter::spf {

// RFC 5321 §4.5.3.1: 64-octet local-part, 255-octet domain. A longer local part is cut to fit
// (it only feeds %{l} and %{s}); the domain alone decides whether the identity is valid.
inline constexpr std::size_t kMaxSenderLength = 64 + 1 + 255;

struct SpfIdentity {
  SpfScope scope = SpfScope::mailfrom;
  std::string sender;      // local-part@domain
  std::string local_part;  // "postmaster" when missing
  std::string domain;      // without a trailing dot
  bool valid = false;
  std::string problem;  // why not valid
};

SpfIdentity make_mail_from_identity(const SpfQuery& query);
SpfIdentity make_helo_identity(const SpfQuery& query);

}  // namespace authmilter::spf
