// grammar.h - character classes of the Authentication-Results grammar (RFC 8601 §2.2).
//
// Pure constexpr predicates shared by the formatter (what may be written unquoted) and the
// readers (what a token is). Bytes are taken as unsigned char; nothing here allocates.
// References: RFC 2045 §5.1 (token, tspecials), RFC 5322 §3.2 (WSP, quoted-pair),
// RFC 5321 §4.1.2 (Ldh-str, which RFC 8601 calls Keyword).
#pragma once

#include <string>
#include <string_view>

namespace authmilter::authres::grammar {

// RFC 5234 CTL: 0x00-0x1F and DEL. Tab is one too (and is never written from input).
constexpr bool is_ctl(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

constexpr bool is_wsp(unsigned char c) {
  return c == ' ' || c == '\t';
}

// Whitespace for a reader: CR and LF inside a field value can only be folding (the MTA already
// split the header), so a reader treats them as blanks rather than rejecting the field.
constexpr bool is_blank(unsigned char c) {
  return is_wsp(c) || c == '\r' || c == '\n';
}

constexpr bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

// RFC 2045 §5.1 tspecials.
constexpr bool is_tspecial(unsigned char c) {
  return std::string_view("()<>@,;:\\\"/[]?=").find(static_cast<char>(c)) != std::string_view::npos;
}

// RFC 2045 §5.1 token character: US-ASCII, not SPACE, not a CTL, not a tspecial.
constexpr bool is_token_char(unsigned char c) {
  return c > 0x20 && c < 0x7f && !is_tspecial(c);
}

// What a reader accepts in a token: the above plus 8-bit bytes, because EAI domains (RFC 6532)
// are written unquoted in the wild.
constexpr bool is_lenient_token_char(unsigned char c) {
  return is_token_char(c) || c >= 0x80;
}

// Keyword characters a reader accepts; '_' is tolerated because deployed methods use it.
constexpr bool is_keyword_char(unsigned char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '_';
}

// A non-empty RFC 2045 token.
constexpr bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_token_char(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// RFC 5321 Ldh-str as RFC 8601 uses it for Keyword, in lower case: letters, digits and '-',
// not starting or ending with '-'.
constexpr bool is_lower_keyword(std::string_view text) {
  if (text.empty() || text.front() == '-' || text.back() == '-') return false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (!((u >= 'a' && u <= 'z') || is_digit(u) || u == '-')) return false;
  }
  return true;
}

}  // namespace authmilter::authres::grammar
