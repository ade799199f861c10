// authres.h - Authentication-Results header fields (RFC 8601): build ours, read others'.
//
// format_authres() is pure and deterministic. It builds the field VALUE (without the
// "Authentication-Results:" name) from results the checks produced. Every piece of text that came
// from outside (domains, selectors, reasons) is sanitized: CR, LF and other control characters can
// never appear in the output except as the folding whitespace format_authres() itself inserts
// ("\r\n\t" or "\n\t", see FoldStyle), so a hostile value cannot start a second header.
// Values that are not RFC 2045 tokens are emitted as quoted-strings; comments are escaped.
//
// Bounds (see sanitize.h): every single value, comment or reason is cut to kMaxValueLength bytes
// of output on a UTF-8 boundary; a resinfo longer than one RFC 5322 line is folded between its
// elements. Callers bound the NUMBER of results (e.g. DKIM signatures per message).
// Keywords (method, result, ptype, property) are lower-cased; one that is not an RFC 8601
// Keyword is replaced by "invalid" (never repaired into something that could read as "pass").
//
// authserv_id_of() reads the authserv-id of an existing field value (skipping CFWS: comments
// and folding), so that forged fields carrying our own authserv-id can be deleted (RFC 8601 §5).
// It is deliberately liberal: the authserv-id is the token or quoted-string after the CFWS,
// whatever follows it, so that anything a lenient downstream reader could take for ours is
// deleted. Unbalanced comments or quotes give nullopt; carries_authserv_id() then still says
// "ours" when our id appears in the value as a whole token, since a reader that skips the broken
// comment its own way may find it. parse.h reads a whole field.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authmilter::authres {

// One property such as smtp.mailfrom=example.org or header.d=example.org.
struct Property {
  std::string type;   // "smtp", "header", "body", "policy"
  std::string name;   // "mailfrom", "d", "s", "b", ...
  std::string value;  // raw value; quoted by the formatter when needed

  friend bool operator==(const Property&, const Property&) = default;
};

// One resinfo: method=result (comment) reason="..." properties.
struct MethodResult {
  std::string method;   // "spf", "dkim", "dmarc", "arc", "auth"
  std::string result;   // "pass", "fail", "none", "temperror", ...
  std::string comment;  // short human note, emitted as a (comment); may be empty
  std::string reason;   // emitted as reason="..." when not empty
  std::vector<Property> properties;
  int method_version = 0;  // "dkim/1" (RFC 8601 §2.2 method-version); 0 = not written

  friend bool operator==(const MethodResult&, const MethodResult&) = default;
};

enum class FoldStyle {
  lf,    // "\n\t": what libmilter's smfi_insheader expects (the MTA converts line ends)
  crlf,  // "\r\n\t": wire form
};

// The field value, e.g. "mx.example.net;\n\tspf=pass smtp.mailfrom=example.org".
// An empty result list gives "mx.example.net; none" (RFC 8601 §2.2).
std::string format_authres(std::string_view authserv_id, const std::vector<MethodResult>& results,
                           FoldStyle fold = FoldStyle::lf);

// True when authserv_id is usable as is: a non-empty RFC 2045 token (a dot-atom such as a host
// name is one) of at most kMaxValueLength bytes. conf/ should reject anything else; the
// formatter would write it as a sanitized quoted-string ("authserv-id.invalid" if empty).
bool is_valid_authserv_id(std::string_view authserv_id);

// The authserv-id of a field value, lower-cased; nullopt if the value does not start with one.
std::optional<std::string> authserv_id_of(std::string_view field_value);

// True when the field value's authserv-id equals ours (case-insensitive, CFWS ignored).
bool carries_authserv_id(std::string_view field_value, std::string_view our_authserv_id);

}  // namespace authmilter::authres
