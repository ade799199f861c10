#include "arc/arc_header_parse.h"

#include <cctype>

#include "dkim/tag_list.h"

namespace authmilter::arc {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

// i=: 1*DIGIT, no leading zero ambiguity matters; 0 when unusable.
unsigned parse_instance(std::string_view text) {
  if (!all_digits(text) || text.size() > 4) return 0;
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  return value <= kMaxReadableInstance ? value : 0;
}

// t= / x=: 1*12DIGIT (RFC 6376 §3.5 allows up to 12 digits); nullopt when malformed.
std::optional<std::time_t> parse_time(std::string_view text) {
  if (!all_digits(text) || text.size() > 12) return std::nullopt;
  std::time_t value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Reads the tags common to AS and AMS; returns the tag list (nullopt: unreadable).
std::optional<std::vector<dkim::Tag>> read_common(std::string_view value,
                                                  ArcSignatureFields& fields) {
  auto tags = dkim::parse_tag_list(value);
  if (!tags) {
    fields.error = "malformed tag list";
    return std::nullopt;
  }
  const auto required = [&](std::string_view name) -> const std::string* {
    const std::string* found = dkim::find_tag(*tags, name);
    if ((found == nullptr || found->empty()) && fields.error.empty()) {
      fields.error =
          std::string(found == nullptr ? "missing " : "empty ") + std::string(name) + "=";
    }
    return found;
  };
  if (const std::string* instance = required("i")) {
    fields.instance = parse_instance(*instance);
    if (fields.instance == 0 && fields.error.empty()) fields.error = "invalid i=";
  }
  if (const std::string* algorithm = required("a")) fields.algorithm = *algorithm;
  if (const std::string* signature = required("b")) {
    fields.signature = dkim::strip_whitespace(*signature);
  }
  if (const std::string* domain = required("d")) fields.domain = lower(*domain);
  if (const std::string* selector = required("s")) fields.selector = *selector;
  for (const char* name : {"t", "x"}) {
    const std::string* text = dkim::find_tag(*tags, name);
    if (text == nullptr) continue;
    const auto time = parse_time(*text);
    if (!time && fields.error.empty()) fields.error = std::string("invalid ") + name + "=";
    (name[0] == 't' ? fields.timestamp : fields.expiration) = time;
  }
  return tags;
}

bool parse_canonicalization(std::string_view text, Canonicalization& out) {
  if (text == "simple") {
    out = Canonicalization::simple;
  } else if (text == "relaxed") {
    out = Canonicalization::relaxed;
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::optional<ArcFieldKind> arc_field_kind(std::string_view name) {
  const std::string key = field_key(name);
  if (key == "arc-seal") return ArcFieldKind::seal;
  if (key == "arc-message-signature") return ArcFieldKind::message_signature;
  if (key == "arc-authentication-results") return ArcFieldKind::authentication_results;
  return std::nullopt;
}

ArcSealFields parse_arc_seal(std::string_view value) {
  ArcSealFields fields;
  const auto tags = read_common(value, fields);
  if (!tags) return fields;
  const std::string* cv = dkim::find_tag(*tags, "cv");
  if (cv == nullptr || cv->empty()) {
    if (fields.error.empty()) fields.error = cv == nullptr ? "missing cv=" : "empty cv=";
  } else {
    fields.chain_validation = *cv;
    if (*cv != "none" && *cv != "pass" && *cv != "fail" && fields.error.empty()) {
      fields.error = "invalid cv=";
    }
  }
  // RFC 8617 §4.1.3: the seal signs a fixed set of fields; an h= tag is not allowed.
  if (dkim::find_tag(*tags, "h") != nullptr && fields.error.empty()) {
    fields.error = "h= not allowed in ARC-Seal";
  }
  return fields;
}

ArcMessageSignatureFields parse_arc_message_signature(std::string_view value) {
  ArcMessageSignatureFields fields;
  const auto tags = read_common(value, fields);
  if (!tags) return fields;
  const auto fail = [&](std::string reason) {
    if (fields.error.empty()) fields.error = std::move(reason);
  };
  const std::string* body_hash = dkim::find_tag(*tags, "bh");
  if (body_hash == nullptr || body_hash->empty()) {
    fail(body_hash == nullptr ? "missing bh=" : "empty bh=");
  } else {
    fields.body_hash = dkim::strip_whitespace(*body_hash);
  }
  if (const std::string* c = dkim::find_tag(*tags, "c")) {
    const std::size_t slash = c->find('/');
    const std::string_view header_part = std::string_view(*c).substr(0, slash);
    const bool header_ok = parse_canonicalization(header_part, fields.header_canonicalization);
    bool body_ok = true;
    if (slash != std::string::npos) {
      body_ok = parse_canonicalization(std::string_view(*c).substr(slash + 1),
                                       fields.body_canonicalization);
    }
    if (!header_ok || !body_ok) fail("invalid c=");
  }
  const std::string* headers = dkim::find_tag(*tags, "h");
  if (headers == nullptr) {
    fail("missing h=");
  } else {
    // h= may be empty, and an empty element ("from::to") names no field: both contribute
    // nothing to the hash (as a name no field has, RFC 6376 §5.4.2). RFC 6376's ABNF wants
    // 1*ftext per name; the ValiMail suite (ams_fields_h_empty, ams_fields_h_mis_hdr) and dkimpy
    // accept both, and accepting them lets no unsigned content count as signed.
    std::string_view rest = *headers;
    while (!trim(rest).empty()) {
      const std::size_t colon = rest.find(':');
      const std::string_view name = trim(rest.substr(0, colon));
      if (!name.empty()) fields.signed_headers.push_back(lower(name));
      if (colon == std::string_view::npos) break;
      rest = rest.substr(colon + 1);
    }
    for (const std::string& name : fields.signed_headers) {
      // RFC 8617 §4.1.2: ARC-Seal fields must never be covered by an AMS.
      if (name == "arc-seal") fail("h= includes ARC-Seal");
    }
  }
  if (const std::string* length = dkim::find_tag(*tags, "l")) {
    if (!all_digits(*length) || length->size() > 18) {
      fail("invalid l=");
    } else {
      fields.body_length = std::stoull(*length);
    }
  }
  return fields;
}

ArcAuthenticationResultsFields parse_arc_authentication_results(std::string_view value) {
  ArcAuthenticationResultsFields fields;
  std::string_view text = trim(value);
  // RFC 8617 §4.1.1: AAR = "i=" instance ";" authres-payload; the i= tag comes first.
  if (text.empty() || text.front() != 'i') {
    fields.error = "no leading i=";
    return fields;
  }
  text = trim(text.substr(1));
  if (text.empty() || text.front() != '=') {
    fields.error = "no leading i=";
    return fields;
  }
  text.remove_prefix(1);
  const std::size_t semicolon = text.find(';');
  if (semicolon == std::string_view::npos) {
    fields.error = "no ';' after i=";
    fields.instance = parse_instance(trim(text));
    return fields;
  }
  fields.instance = parse_instance(trim(text.substr(0, semicolon)));
  if (fields.instance == 0) fields.error = "invalid i=";
  fields.payload = std::string(trim(text.substr(semicolon + 1)));
  return fields;
}

}  // namespace authmilter::arc
