// authserv_id.cpp - which host wrote an Authentication-Results field (RFC 8601 §2.5, §5).
#include <optional>
#include <string>

#include "authres/authres.h"
#include "authres/field_scanner.h"
#include "authres/grammar.h"
#include "authres/sanitize.h"
#include "common/ascii.h"

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
  return lower_ascii(*id);
}

namespace {

// True when the value does not start with a readable authserv-id because its leading comment
// or quoted-string never closes (or nests past our bound).
bool starts_malformed(std::string_view field_value) {
  FieldScanner scanner(field_value);
  if (scanner.skip_cfws() == Cfws::malformed) return true;
  return scanner.peek() == '"' && !scanner.read_quoted_string();
}

// Our id anywhere in the value as a whole token (case-insensitive).
bool mentions_as_token(std::string_view field_value, const std::string& our_lower) {
  const std::string value = lower_ascii(field_value);
  const auto is_token_byte = [](char c) {
    return grammar::is_lenient_token_char(static_cast<unsigned char>(c));
  };
  for (auto at = value.find(our_lower); at != std::string::npos;
       at = value.find(our_lower, at + 1)) {
    const std::size_t end = at + our_lower.size();
    if ((at == 0 || !is_token_byte(value[at - 1])) &&
        (end == value.size() || !is_token_byte(value[end])))
      return true;
  }
  return false;
}

}  // namespace

bool carries_authserv_id(std::string_view field_value, std::string_view our_authserv_id) {
  if (our_authserv_id.empty()) return false;
  const std::string ours = lower_ascii(our_authserv_id);
  if (const std::optional<std::string> id = authserv_id_of(field_value)) return *id == ours;
  // By the grammar such a field has no authserv-id, but a reader that skips comments or quotes
  // its own lenient way can still find ours after the broken part ("(a\) ours; dmarc=pass"):
  // delete it when it names us at all. A well-formed field of another host is kept.
  return starts_malformed(field_value) && mentions_as_token(field_value, ours);
}

}  // namespace authmilter::authres
