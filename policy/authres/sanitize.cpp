#include "authres/sanitize.h"

#include "authres/authres.h"
#include "authres/grammar.h"
#include "common/ascii.h"
#include "common/domain_name.h"

namespace authmilter::authres {
namespace {

using grammar::is_ctl;

// Length of the well-formed UTF-8 sequence at text[pos] (RFC 3629 §4), 0 if it is not one.
// Overlong forms, surrogates and code points above U+10FFFF are rejected.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos, char32_t& code_point) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  std::size_t length = 0;
  char32_t minimum = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, minimum = 0x80, code_point = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, minimum = 0x800, code_point = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, minimum = 0x10000, code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() - pos < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[pos + i]);
    if ((next & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3f);
  }
  if (code_point < minimum || code_point > 0x10ffff) return 0;
  if (code_point >= 0xd800 && code_point <= 0xdfff) return 0;
  return length;
}

// Characters that some readers treat as line breaks or controls although they are not CTLs.
bool is_unsafe_code_point(char32_t code_point) {
  return (code_point >= 0x80 && code_point <= 0x9f) || code_point == 0x2028 || code_point == 0x2029;
}

// Bytes in a UTF-8 sequence starting with lead (text already cleaned, so well-formed).
std::size_t clean_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return 4;
}

// cleaned wrapped in open/close, each of the bytes in `specials` escaped with '\', cut so the
// result is at most kMaxValueLength bytes.
std::string escape_and_wrap(std::string_view cleaned, char open, char close,
                            std::string_view specials) {
  std::string out(1, open);
  const std::size_t budget = kMaxValueLength - 1;  // room for the closing character
  for (std::size_t pos = 0; pos < cleaned.size();) {
    const std::size_t length = clean_sequence_length(static_cast<unsigned char>(cleaned[pos]));
    const bool escape = length == 1 && specials.find(cleaned[pos]) != std::string_view::npos;
    if (out.size() + length + (escape ? 1 : 0) > budget) break;
    if (escape) out += '\\';
    out.append(cleaned.substr(pos, length));
    pos += length;
  }
  out += close;
  return out;
}

// RFC 5322 dot-atom-text over RFC 2045 token characters (which are all atext): non-empty,
// no leading, trailing or doubled dot.
bool is_dot_atom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  if (text.find("..") != std::string_view::npos) return false;
  return grammar::is_token(text);
}

// RFC 8601 domain-name: LDH labels of 1-63 octets (RFC 1035 §2.3.4) joined by dots.
bool is_domain_name(std::string_view text) {
  if (text.empty() || text.size() > kMaxDomainNameLength) return false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('.', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view label = text.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      const auto u = static_cast<unsigned char>(c);
      if (!grammar::is_alpha(u) && !grammar::is_digit(u) && u != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

// RFC 8601 pvalue alternative "[ [ local-part ] "@" ] domain-name", unquoted local-part only.
bool is_address_form(std::string_view text) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view local = text.substr(0, at);
  return (local.empty() || is_dot_atom(local)) && is_domain_name(text.substr(at + 1));
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::string clean_text(std::string_view raw, std::size_t max_bytes) {
  std::string out;
  out.reserve(raw.size() < max_bytes ? raw.size() : max_bytes);
  for (std::size_t pos = 0; pos < raw.size();) {
    const auto byte = static_cast<unsigned char>(raw[pos]);
    if (byte < 0x80) {
      if (out.size() + 1 > max_bytes) break;
      out += is_ctl(byte) ? ' ' : static_cast<char>(byte);
      ++pos;
      continue;
    }
    char32_t code_point = 0;
    const std::size_t length = utf8_sequence_length(raw, pos, code_point);
    if (length == 0) {
      if (out.size() + 1 > max_bytes) break;
      out += '?';
      ++pos;
    } else if (is_unsafe_code_point(code_point)) {
      if (out.size() + 1 > max_bytes) break;
      out += ' ';
      pos += length;
    } else {
      if (out.size() + length > max_bytes) break;
      out.append(raw.substr(pos, length));
      pos += length;
    }
  }
  return out;
}

std::string encode_value(std::string_view raw) {
  std::string cleaned = clean_text(raw, kMaxValueLength);
  if (grammar::is_token(cleaned) || is_address_form(cleaned)) return cleaned;
  return escape_and_wrap(cleaned, '"', '"', "\\\"");
}

std::string encode_quoted(std::string_view raw) {
  return escape_and_wrap(clean_text(raw, kMaxValueLength), '"', '"', "\\\"");
}

std::string encode_comment(std::string_view raw) {
  const std::string cleaned = clean_text(raw, kMaxValueLength);
  const std::string_view text = trim_spaces(cleaned);
  if (text.empty()) return {};
  return escape_and_wrap(text, '(', ')', "()\\");
}

std::string encode_keyword(std::string_view raw) {
  if (raw.size() > kMaxKeywordLength) return std::string(kInvalidKeyword);
  std::string lowered = lower_ascii(raw);
  if (!grammar::is_lower_keyword(lowered)) return std::string(kInvalidKeyword);
  return lowered;
}

std::string encode_authserv_id(std::string_view raw) {
  if (is_valid_authserv_id(raw)) return std::string(raw);
  std::string cleaned = clean_text(raw, kMaxValueLength);
  if (cleaned.empty()) return std::string(kFallbackAuthservId);
  if (grammar::is_token(cleaned)) return cleaned;  // only cut to length
  return escape_and_wrap(cleaned, '"', '"', "\\\"");
}

}  // namespace authmilter::authres
