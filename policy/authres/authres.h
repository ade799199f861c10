// authres.h - Authentication-Results header fields (RFC 8601): build ours, read others'.
//
// format_authres() is pure and deterministic. It builds the field VALUE (without the
// "Authentication-Results:" name) from results the checks produced. Every piece of text that came
// from outside (domains, selectors, reasons) is sanitized: CR, LF and other control characters can
// never appear in the output except as the folding whitespace format_authres() itself inserts
// ("\r\n\t" or "\n\t", see FoldStyle), so a hostile value cannot start a second header.
// Values that are not RFC 2045 tokens are emitted as quoted-strings; comments are escaped.
//
// authserv_id_of() reads the authserv-id of an existing field value (skipping CFWS: comments
// and folding), so that forged fields carrying our own authserv-id can be deleted (RFC 8601 §5).
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
};

// One resinfo: method=result (comment) reason="..." properties.
struct MethodResult {
  std::string method;   // "spf", "dkim", "dmarc", "arc", "auth"
  std::string result;   // "pass", "fail", "none", "temperror", ...
  std::string comment;  // short human note, emitted as a (comment); may be empty
  std::string reason;   // emitted as reason="..." when not empty
  std::vector<Property> properties;
};

enum class FoldStyle {
  lf,    // "\n\t": what libmilter's smfi_insheader expects (the MTA converts line ends)
  crlf,  // "\r\n\t": wire form
};

// The field value, e.g. "mx.example.net;\n\tspf=pass smtp.mailfrom=example.org".
// An empty result list gives "mx.example.net; none" (RFC 8601 §2.2).
std::string format_authres(std::string_view authserv_id, const std::vector<MethodResult>& results,
                           FoldStyle fold = FoldStyle::lf);

// The authserv-id of a field value, lower-cased; nullopt if the value does not start with one.
std::optional<std::string> authserv_id_of(std::string_view field_value);

// True when the field value's authserv-id equals ours (case-insensitive, CFWS ignored).
bool carries_authserv_id(std::string_view field_value, std::string_view our_authserv_id);

}  // namespace authmilter::authres
