#include "dmarc/uri.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "common/ascii.h"
#include "dmarc/domain_name.h"

namespace authmilter::dmarc {

namespace {

// RFC 3986 §2: unreserved / reserved / '%'; everything else needs percent-encoding.
bool is_uri_char(unsigned char c) {
  if (std::isalnum(c) != 0) return true;
  return std::string_view("-._~:/?#[]@!$&'()*+,;=%").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// RFC 7489 §6.4: "!" 1*DIGIT [ "k" / "m" / "g" / "t" ]; units are powers of 2.
std::optional<std::uint64_t> parse_size(std::string_view s) {
  constexpr std::size_t kMaxDigits = 12;  // keeps the digits within 2^40; the unit is checked
  std::uint64_t shift = 0;
  if (!s.empty() && std::isalpha(static_cast<unsigned char>(s.back())) != 0) {
    const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(s.back())));
    const auto pos = std::string_view("kmgt").find(unit);
    if (pos == std::string_view::npos) return std::nullopt;
    shift = 10 * (pos + 1);
    s.remove_suffix(1);
  }
  if (s.empty() || s.size() > kMaxDigits) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > (UINT64_MAX >> shift)) return std::nullopt;  // "999999999999t" would wrap
  return value << shift;
}

// RFC 5322 §3.2.3 atext.
bool is_atext(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// RFC 5322 §3.4.1 local-part as a dot-atom: atext runs joined by single dots. Quoted local
// parts are refused: a decoded '"', '>', ' ' or ';' could otherwise end the address in RCPT TO
// or To: and smuggle in another recipient or an ESMTP parameter.
bool is_dot_atom(std::string_view local) {
  if (local.empty() || local.front() == '.' || local.back() == '.') return false;
  if (local.find("..") != std::string_view::npos) return false;
  return std::all_of(local.begin(), local.end(), [](char c) { return c == '.' || is_atext(c); });
}

bool valid_scheme(std::string_view scheme) {
  if (scheme.empty() || std::isalpha(static_cast<unsigned char>(scheme.front())) == 0) {
    return false;
  }
  return std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
  });
}

// RFC 6068: mailto:addr-spec[?hfields]; one recipient (commas would split the DMARC list).
void parse_mailto(std::string_view rest, ReportUri& uri) {
  const auto query = rest.find('?');
  const auto decoded = percent_decode(rest.substr(0, query));
  if (!decoded) {
    uri.problem = "malformed percent-encoding in mailto address";
    return;
  }
  // RFC 5322 §3.4.1: an addr-spec holds no control character; a percent-encoded CR or LF
  // would otherwise reach the report's To: header and RCPT TO (header/command injection).
  if (std::any_of(decoded->begin(), decoded->end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    uri.problem = "mailto address contains a control character";
    return;
  }
  const auto at = decoded->find('@');
  if (at == std::string::npos || at == 0 || decoded->find('@', at + 1) != std::string::npos ||
      decoded->find(',') != std::string::npos) {
    uri.problem = "mailto URI without a single local@domain address";
    return;
  }
  if (!is_dot_atom(std::string_view(*decoded).substr(0, at))) {
    uri.problem = "mailto address has a local part that is not a plain dot-atom";
    return;
  }
  const auto domain = normalize_domain(std::string_view(*decoded).substr(at + 1));
  if (!domain) {
    uri.problem = "mailto address has an invalid domain";
    return;
  }
  uri.address = *decoded;
  uri.domain = *domain;
  uri.usable = true;
}

}  // namespace

ReportUri parse_report_uri(std::string_view text) {
  ReportUri uri;
  text = trim_wsp(text);
  if (text.size() > kMaxReportUriLength) {
    uri.problem = "URI longer than " + std::to_string(kMaxReportUriLength) + " bytes";
    return uri;
  }
  // The size suffix uses '!', which RFC 7489 §6.4 requires to be percent-encoded inside the
  // URI itself, so the last unencoded '!' starts the suffix.
  if (const auto bang = text.rfind('!'); bang != std::string_view::npos) {
    uri.max_bytes = parse_size(text.substr(bang + 1));
    if (!uri.max_bytes) {
      uri.text = std::string(text);
      uri.problem = "malformed !size suffix";
      return uri;
    }
    text = text.substr(0, bang);
  }
  uri.text = std::string(text);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || !valid_scheme(text.substr(0, colon))) {
    uri.problem = "not a URI (no scheme)";
    return uri;
  }
  const auto rest = text.substr(colon + 1);
  if (rest.empty() || !std::all_of(rest.begin(), rest.end(), [](char c) {
        return is_uri_char(static_cast<unsigned char>(c));
      })) {
    uri.problem = "URI contains characters that must be percent-encoded";
    return uri;
  }
  uri.scheme = lower_ascii(text.substr(0, colon));
  uri.valid = true;
  if (uri.scheme == "mailto") {
    parse_mailto(rest, uri);
  } else {
    uri.problem = "unsupported URI scheme '" + uri.scheme + "' (only mailto is used)";
  }
  return uri;
}

bool UriList::all_valid() const {
  return !uris.empty() &&
         std::all_of(uris.begin(), uris.end(), [](const ReportUri& u) { return u.valid; });
}

bool UriList::any_usable() const {
  return std::any_of(uris.begin(), uris.end(), [](const ReportUri& u) { return u.usable; });
}

UriList parse_uri_list(std::string_view value) {
  UriList list;
  while (true) {
    const auto comma = value.find(',');
    if (list.uris.size() == kMaxReportUris) {
      list.truncated = true;
      break;
    }
    list.uris.push_back(parse_report_uri(value.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return list;
}

}  // namespace authmilter::dmarc
