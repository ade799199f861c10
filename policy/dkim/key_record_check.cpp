#include "dkim/key_record_check.h"

#include <optional>
#include <string>

#include "common/ascii.h"
#include "dkim/dkim_base64.h"

namespace authmilter::dkim {

namespace {

struct KeyTag {
  std::string name;  // as first written
  std::string value;
};

bool is_c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool is_c_print(char c) {
  return c >= 0x20 && c < 0x7f;
}
bool is_c_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string without_spaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (!is_c_space(c)) out.push_back(c);
  }
  return out;
}

// libopendkim files tags under their exact first character and compares names within a file
// ignoring case: "Pa" repeats "pA" but "K" does not repeat "k".
bool same_tag_name(std::string_view a, std::string_view b) {
  return !a.empty() && !b.empty() && a.front() == b.front() && equal_ignoring_case(a, b);
}

// A repeated name replaces the value but keeps the name first written.
void add_tag(std::vector<KeyTag>& tags, std::string_view name, std::string_view value,
             bool replace) {
  std::string clean_name = without_spaces(name);
  for (KeyTag& tag : tags) {
    if (same_tag_name(tag.name, clean_name)) {
      if (replace) tag.value = without_spaces(value);
      return;
    }
  }
  tags.push_back(KeyTag{std::move(clean_name), without_spaces(value)});
}

const std::string* find_exact(const std::vector<KeyTag>& tags, std::string_view name) {
  for (const KeyTag& tag : tags) {
    if (tag.name == name) return &tag.value;
  }
  return nullptr;
}

enum class ParseState { before_name, in_name, before_value, in_value };

// The tag=value grammar libopendkim applies to key records (see the header).
std::optional<std::vector<KeyTag>> parse_key_tags(std::string_view text) {
  std::vector<KeyTag> tags;
  ParseState state = ParseState::before_name;
  std::size_t name_start = 0, name_end = 0, value_start = 0;
  bool spaced = false;
  const auto add_value = [&](std::string_view value) {
    add_tag(tags, text.substr(name_start, name_end - name_start), value, true);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!is_c_print(c) && !is_c_space(c)) return std::nullopt;
    switch (state) {
      case ParseState::before_name:
        if (is_c_space(c)) break;
        if (!is_c_alnum(c)) return std::nullopt;
        name_start = i;
        state = ParseState::in_name;
        break;
      case ParseState::in_name:
        if (c == '=') {
          name_end = i;
          spaced = false;
          state = ParseState::before_value;
        } else if (c == ';' || spaced) {
          return std::nullopt;
        } else if (is_c_space(c)) {
          spaced = true;
        }
        break;
      case ParseState::before_value:
        if (is_c_space(c)) break;
        if (c == ';') {
          add_value({});
          state = ParseState::before_name;
        } else {
          value_start = i;
          state = ParseState::in_value;
        }
        break;
      case ParseState::in_value:
        if (c == ';') {
          add_value(text.substr(value_start, i - value_start));
          state = ParseState::before_name;
        }
        break;
    }
  }
  if (state == ParseState::in_name) return std::nullopt;
  if (state == ParseState::before_value) add_value({});
  if (state == ParseState::in_value) add_value(text.substr(value_start));
  add_tag(tags, "k", "rsa", false);  // RFC 6376 §3.6.1 default, unless k= (any case) is there
  return tags;
}

// Calls `visit` for each non-empty element of a colon-separated list until it returns true.
template <class Visit>
bool any_element(std::string_view list, Visit visit) {
  while (true) {
    const std::size_t colon = list.find(':');
    const std::string_view element = list.substr(0, colon);
    if (!element.empty() && visit(element)) return true;
    if (colon == std::string_view::npos) return false;
    list.remove_prefix(colon + 1);
  }
}

bool is_known_hash(std::string_view name) {
  return equal_ignoring_case(name, "sha1") || equal_ignoring_case(name, "sha256");
}

std::string_view hash_of(dkim_alg_t algorithm) {
  return algorithm == DKIM_SIGN_RSASHA1 ? "sha1" : "sha256";
}

// Record-level checks, before the key itself (the order decides which error is reported).
int tag_error(const std::vector<KeyTag>& tags, dkim_alg_t algorithm) {
  if (const std::string* version = find_exact(tags, "v"); version && *version != "DKIM1") {
    return DKIM_SIGERROR_KEYVERSION;
  }
  if (const std::string* hashes = find_exact(tags, "h"); hashes != nullptr) {
    if (!any_element(*hashes, is_known_hash)) return DKIM_SIGERROR_KEYUNKNOWNHASH;
    const auto signature_hash = [&](std::string_view h) {
      return equal_ignoring_case(h, hash_of(algorithm));
    };
    if (!any_element(*hashes, signature_hash)) return DKIM_SIGERROR_KEYHASHMISMATCH;
  }
  if (const std::string* services = find_exact(tags, "s"); services != nullptr) {
    const auto for_email = [](std::string_view s) {
      return s == "*" || equal_ignoring_case(s, "email");
    };
    if (!any_element(*services, for_email)) return DKIM_SIGERROR_NOTEMAILKEY;
  }
  const std::string* type = find_exact(tags, "k");
  if (type == nullptr) return DKIM_SIGERROR_KEYTYPEMISSING;
  if (!equal_ignoring_case(*type, "rsa") && !equal_ignoring_case(*type, "ed25519")) {
    return DKIM_SIGERROR_KEYTYPEUNKNOWN;
  }
  return DKIM_SIGERROR_OK;
}

void read_flags(const std::vector<KeyTag>& tags, KeyRecordCheck& check) {
  const std::string* flags = find_exact(tags, "t");
  if (flags == nullptr) return;
  any_element(*flags, [&](std::string_view flag) {
    if (equal_ignoring_case(flag, "y")) check.testing = true;
    if (equal_ignoring_case(flag, "s")) check.same_domain_only = true;
    return false;
  });
}

KeyRecordCheck failed(int error) {
  KeyRecordCheck check;
  check.error = error;
  return check;
}

}  // namespace

KeyRecordCheck check_key_record(std::string_view record, dkim_alg_t algorithm) {
  // libopendkim read the record as a C string: it ends at the first NUL.
  record = record.substr(0, record.find('\0'));
  if (record.empty()) return failed(DKIM_SIGERROR_DNSSYNTAX);
  const auto tags = parse_key_tags(record);
  if (!tags) return failed(DKIM_SIGERROR_DNSSYNTAX);
  if (const int error = tag_error(*tags, algorithm); error != DKIM_SIGERROR_OK) {
    return failed(error);
  }
  const std::string* key = find_exact(*tags, "p");
  if (key == nullptr) return failed(DKIM_SIGERROR_DNSSYNTAX);
  if (key->empty()) return failed(DKIM_SIGERROR_KEYREVOKED);
  auto key_data = decode_base64_leniently(*key, key->size());
  if (!key_data) return failed(DKIM_SIGERROR_DNSSYNTAX);

  KeyRecordCheck check;
  read_flags(*tags, check);
  check.type =
      equal_ignoring_case(*find_exact(*tags, "k"), "ed25519") ? KeyType::ed25519 : KeyType::rsa;
  const KeyType wanted = algorithm == DKIM_SIGN_ED25519SHA256 ? KeyType::ed25519 : KeyType::rsa;
  // RFC 6376 §6.1.2: a key unsuitable for a= fails; libopendkim's word for it was KEYDECODE.
  check.error = check.type == wanted ? DKIM_SIGERROR_OK : DKIM_SIGERROR_KEYDECODE;
  check.key_data = std::move(*key_data);
  return check;
}

}  // namespace authmilter::dkim
