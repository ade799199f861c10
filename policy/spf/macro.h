// macro.h - SPF macro-strings (RFC 7208 §7): syntax check and expansion.
//
// A macro-string appears in a domain-spec (mechanism and modifier arguments) or, with the extra
// letters c, r, t and spaces, in explanation text fetched by exp= (RFC 7208 §7.1, §6.2).
// expand_macros() is pure: the only value that needs DNS, %{p}, comes from a callback that the
// caller provides (and may make lazy). Output is bounded by kMaxMacroOutput; digit
// transformers are saturated, so "%{d999999999r}" means "all parts".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "net/ip_address.h"

namespace authmilter::spf {

// Longest expansion kept; domain expansions are cut to 253 octets later (RFC 7208 §7.3).
inline constexpr std::size_t kMaxMacroOutput = 8192;

enum class MacroContext {
  domain,       // domain-spec: letters s l o d i p h v
  explanation,  // explanation-string: also c r t, and spaces (RFC 7208 §7.1)
};

// The values macros expand to (RFC 7208 §7.3).
struct MacroInputs {
  std::string sender;                           // %{s}: local-part@domain
  std::string local_part;                       // %{l}
  std::string sender_domain;                    // %{o}
  std::string domain;                           // %{d}: the current <domain> of check_host()
  std::string helo;                             // %{h}
  std::string receiver;                         // %{r}
  net::IpAddress client;                        // %{i} %{c} %{v}
  std::int64_t timestamp = 0;                   // %{t}
  std::function<std::string()> validated_name;  // %{p}; "unknown" when unset
};

// check_macro_string - ok when text is a valid macro-string in ctx; else why it is not.
Status check_macro_string(std::string_view text, MacroContext ctx);

// expand_macros - the expansion of text; nullopt when the syntax is invalid.
std::optional<std::string> expand_macros(std::string_view text, const MacroInputs& inputs,
                                         MacroContext ctx);

// ends_with_macro_expand - the domain-spec ends in a macro-expand (RFC 7208 §7.1 domain-end).
bool ends_with_macro_expand(std::string_view text);

// url_escape - RFC 3986 percent-encoding of all but unreserved characters (RFC 7208 §7.3).
std::string url_escape(std::string_view text);

}  // namespace authmilter::spf
