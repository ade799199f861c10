#include "spf/identity.h"

#include <string_view>

#include "spf/domain_name.h"

namespace authmilter::spf {

namespace {

constexpr std::string_view kDefaultLocalPart = "postmaster";  // RFC 7208 §4.3

SpfIdentity finish(SpfScope scope, std::string_view local_part, std::string_view domain) {
  SpfIdentity identity;
  identity.scope = scope;
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  identity.domain = std::string(domain);
  identity.valid = is_valid_identity_domain(identity.domain);
  if (!identity.valid) {
    identity.problem = "'" + identity.domain + "' is not a valid domain name";
    return identity;
  }
  // RFC 7208 §4.3 gives "none" for a malformed domain only. An over-long local part must not
  // turn a "fail" into "none": it is cut, and only %{l} and %{s} see the cut form.
  if (local_part.empty()) local_part = kDefaultLocalPart;
  const std::size_t room = kMaxSenderLength - identity.domain.size() - 1;
  identity.local_part = std::string(local_part.substr(0, room));
  identity.sender = identity.local_part + "@" + identity.domain;
  return identity;
}

}  // namespace

SpfIdentity make_mail_from_identity(const SpfQuery& query) {
  std::string_view path = query.mail_from;
  if (path.size() >= 2 && path.front() == '<' && path.back() == '>') {
    path.remove_prefix(1);
    path.remove_suffix(1);
  }
  if (path.empty()) {
    // Null reverse path: the MAIL FROM identity is postmaster@<HELO> (RFC 7208 §2.4), i.e. the
    // HELO name is what was checked, and it is reported as such (RFC 8601 smtp.helo).
    return finish(SpfScope::helo, {}, query.helo);
  }
  const std::size_t at = path.rfind('@');
  if (at == std::string_view::npos) return finish(SpfScope::mailfrom, {}, path);
  return finish(SpfScope::mailfrom, path.substr(0, at), path.substr(at + 1));
}

SpfIdentity make_helo_identity(const SpfQuery& query) {
  return finish(SpfScope::helo, {}, query.helo);
}

}  // namespace authmilter::spf
