// header_canonicalization.h - RFC 6376 §3.4.1/§3.4.2 header canonicalization, as ARC uses it.
//
// ARC-Message-Signature signs header fields with c= simple or relaxed (RFC 8617 §4.1.2 imports
// DKIM's rules); ARC-Seal always uses relaxed (§4.1.3). The functions take one field as the
// milter hands it over: the name (as written, blanks before the colon possibly kept) and the value
// after the colon, CRLF-normalized (dkim::crlf_header_value), without its terminating CRLF.
// canonicalize_header() returns the canonical field *with* a trailing CRLF; callers drop it for
// the signature's own field. without_signature_value() empties the b= tag value of a signature
// field (RFC 6376 §3.7), keeping every other byte. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace authmilter::arc {

enum class Canonicalization { simple, relaxed };

const char* to_string(Canonicalization canonicalization);

std::string canonicalize_header(std::string_view name, std::string_view value,
                                Canonicalization canonicalization);

// `value` with the characters between "b=" and the next ';' (or the end) removed.
std::string without_signature_value(std::string_view value);

// The field name without blanks before the colon, lower-case (for matching h= entries).
std::string field_key(std::string_view name);

}  // namespace authmilter::arc
