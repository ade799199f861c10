// sanitize.h - turning untrusted text into safe pieces of an Authentication-Results field.
//
// Every function here is pure and returns text that contains no CTL at all (0x00-0x1F, 0x7F),
// so nothing it returns can end a header line or start another (CVE-2020-12272 was the reverse
// problem: a reader fooled by crafted AR text). The formatter only joins these pieces with
// spaces and its own folds. Cleaning rules, applied to every input byte:
//   - a CTL (CR, LF, NUL, TAB, DEL, ...) becomes a space;
//   - a C1 control (U+0080-U+009F) or U+2028/U+2029 becomes a space (some readers break lines
//     on them);
//   - a byte that is not part of well-formed UTF-8 becomes '?';
//   - other UTF-8 (EAI, RFC 6532) stays, and forces quoting since it is not a token.
// Lengths: each encoded piece is at most kMaxValueLength bytes, cut on a UTF-8 boundary, so a
// hostile 1 MB domain yields a bounded header.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace authmilter::authres {

// Longest encoded value, reason, comment or authserv-id we write. Not an RFC limit: a DNS
// name is at most 253 octets (RFC 1035 §2.3.4) and a mailbox 320, so 512 loses nothing real.
inline constexpr std::size_t kMaxValueLength = 512;
// Longest method/result/ptype/property name; longer is not a name any registry holds.
inline constexpr std::size_t kMaxKeywordLength = 64;
// RFC 5322 §2.1.1: a line MUST NOT exceed 998 characters, excluding the CRLF.
inline constexpr std::size_t kMaxLineLength = 998;
// Written in place of a keyword that is not one: a visible marker, never a real result.
inline constexpr std::string_view kInvalidKeyword = "invalid";
// Written when an authserv-id cleans down to nothing (RFC 6761 §6.4 reserves ".invalid").
inline constexpr std::string_view kFallbackAuthservId = "authserv-id.invalid";

// raw cleaned by the rules above, at most max_bytes long (cut on a character boundary).
std::string clean_text(std::string_view raw, std::size_t max_bytes);

// A value (RFC 2045 §5.1, or RFC 8601 pvalue "[local-part] @ domain-name"): as is when it is
// one unquoted, else a quoted-string with '\' and '"' escaped.
std::string encode_value(std::string_view raw);

// Always a quoted-string (used for reason="...", which readers expect quoted).
std::string encode_quoted(std::string_view raw);

// "(text)" with '(' ')' '\' escaped, or "" when nothing printable is left.
std::string encode_comment(std::string_view raw);

// Lower-cased RFC 8601 Keyword, or kInvalidKeyword.
std::string encode_keyword(std::string_view raw);

// The authserv-id as a token when valid, else a sanitized quoted-string (kFallbackAuthservId
// when empty).
std::string encode_authserv_id(std::string_view raw);

}  // namespace authmilter::authres
