// authserv_id.cpp - which host wrote an Authentication-Results field (RFC 8601 §2.5, §5).
#include <optional>
#include <string>

#include "authres/authres.h"
#include "authres/field_scanner.h"
#include "authres/grammar.h"
#include "authres/sanitize.h"

namespace authmilter::authres {

bool is_valid_authserv_id(std::string_view authserv_id) {
  return authserv_id.size() <= kMaxValueLength && grammar::is_token(authserv_id);
}

std::optional<std::string> authserv_id_of(std::string_view field_value) {
  FieldScanner scanner(field_value);
  if (scanner.skip_cfws() == Cfws::malformed) return std::nullopt;
  std::optional<std::string> id = scanner.read_value();
  // Longer than any id we accept for ourselves: it cannot be ours, and we keep no huge copies.
  if (!id || id->empty() || id->size() > kMaxValueLength) return std::nullopt;
  return grammar::to_lower_ascii(*id);
}

bool carries_authserv_id(std::string_view field_value, std::string_view our_authserv_id) {
  if (our_authserv_id.empty()) return false;
  const std::optional<std::string> id = authserv_id_of(field_value);
  return id && *id == grammar::to_lower_ascii(our_authserv_id);
}

}  // namespace authmilter::authres
