#include "spf/record.h"

#include <arpa/inet.h>

#include <cstring>

#include "spf/domain_name.h"
#include "spf/macro.h"

namespace authmilter::spf {

namespace {

constexpr std::size_t kVersionLength = 6;       // "v=spf1"
constexpr std::size_t kMaxAddressLiteral = 64;  // longer than any IPv6 literal
// Terms quoted in reasons are cut here: reasons end up in header comments and logs.
constexpr std::size_t kMaxQuotedTerm = 96;

std::string quoted(std::string_view term) {
  if (term.size() <= kMaxQuotedTerm) return "'" + std::string(term) + "'";
  return "'" + std::string(term.substr(0, kMaxQuotedTerm)) + "...'";
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_modifier_name(std::string_view name) {
  if (name.empty() || !is_alpha(name[0])) return false;
  for (char c : name)
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

// parse_cidr - 1*DIGIT without leading zeros (as ip4-network forbids them), at most max_bits.
std::optional<int> parse_cidr(std::string_view digits, int max_bits) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > max_bits) return std::nullopt;
  return value;
}

// trailing_digits - the run of digits at the end of s.
std::size_t trailing_digits(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[s.size() - 1 - n])) ++n;
  return n;
}

// strip_dual_cidr - removes "[/n4][//n6]" from the end of s (RFC 7208 §5.6 dual-cidr-length).
bool strip_dual_cidr(std::string_view& s, Mechanism& m) {
  std::size_t n = trailing_digits(s);
  if (n > 0 && s.size() >= n + 2 && s.substr(s.size() - n - 2, 2) == "//") {
    const auto bits = parse_cidr(s.substr(s.size() - n), 128);
    if (!bits) return false;
    m.cidr6 = *bits;
    s.remove_suffix(n + 2);
  }
  n = trailing_digits(s);
  if (n > 0 && s.size() >= n + 1 && s[s.size() - n - 1] == '/') {
    const auto bits = parse_cidr(s.substr(s.size() - n), 32);
    if (!bits) return false;
    m.cidr4 = *bits;
    s.remove_suffix(n + 1);
  }
  return true;
}

bool parse_ip_network(std::string_view arg, Mechanism& m) {
  if (arg.empty() || arg[0] != ':') return false;
  arg.remove_prefix(1);
  const std::size_t slash = arg.find('/');
  const std::string_view address = arg.substr(0, slash);
  if (address.empty() || address.size() >= kMaxAddressLiteral) return false;
  char buffer[kMaxAddressLiteral];
  std::memcpy(buffer, address.data(), address.size());
  buffer[address.size()] = '\0';
  const bool v4 = m.kind == MechanismKind::ip4;
  if (v4 && address.find(':') != std::string_view::npos) return false;
  if (inet_pton(v4 ? AF_INET : AF_INET6, buffer, m.network.data()) != 1) return false;
  if (slash == std::string_view::npos) return true;
  const auto bits = parse_cidr(arg.substr(slash + 1), v4 ? 32 : 128);
  if (!bits) return false;
  (v4 ? m.cidr4 : m.cidr6) = *bits;
  return true;
}

std::optional<MechanismKind> mechanism_kind(std::string_view name) {
  const std::string n = lower_ascii(name);
  if (n == "all") return MechanismKind::all;
  if (n == "include") return MechanismKind::include;
  if (n == "a") return MechanismKind::a;
  if (n == "mx") return MechanismKind::mx;
  if (n == "ptr") return MechanismKind::ptr;
  if (n == "ip4") return MechanismKind::ip4;
  if (n == "ip6") return MechanismKind::ip6;
  if (n == "exists") return MechanismKind::exists;
  return std::nullopt;
}

// parse_target - "[:domain-spec]" (optional) or ":domain-spec" (required); cidrs handled before.
bool parse_target(std::string_view arg, bool required, Mechanism& m) {
  if (arg.empty()) return !required;
  if (arg[0] != ':') return false;
  m.domain_spec = std::string(arg.substr(1));
  return check_domain_spec(m.domain_spec).ok();
}

Status parse_mechanism(std::string_view term, SpfRecord& record) {
  Mechanism m;
  const std::string_view written = term;  // with its qualifier
  m.text = term.size() <= kMaxQuotedTerm ? std::string(term)
                                         : std::string(term.substr(0, kMaxQuotedTerm)) + "...";
  switch (term[0]) {
    case '+':
      m.qualifier = Qualifier::pass;
      term.remove_prefix(1);
      break;
    case '-':
      m.qualifier = Qualifier::fail;
      term.remove_prefix(1);
      break;
    case '~':
      m.qualifier = Qualifier::softfail;
      term.remove_prefix(1);
      break;
    case '?':
      m.qualifier = Qualifier::neutral;
      term.remove_prefix(1);
      break;
    default:
      break;
  }
  const std::size_t name_end = std::min(term.find(':'), term.find('/'));
  const auto kind = mechanism_kind(term.substr(0, name_end));
  if (!kind) return Error{"unknown mechanism " + quoted(term.substr(0, name_end))};
  m.kind = *kind;
  std::string_view arg = name_end == std::string_view::npos ? "" : term.substr(name_end);
  bool valid = false;
  switch (m.kind) {
    case MechanismKind::all:
      valid = arg.empty();
      break;
    case MechanismKind::include:
    case MechanismKind::exists:
      valid = parse_target(arg, true, m);
      break;
    case MechanismKind::ptr:
      valid = parse_target(arg, false, m);
      break;
    case MechanismKind::a:
    case MechanismKind::mx:
      valid = strip_dual_cidr(arg, m) && parse_target(arg, false, m);
      break;
    case MechanismKind::ip4:
    case MechanismKind::ip6:
      valid = parse_ip_network(arg, m);
      break;
  }
  if (!valid) return Error{"syntax error in " + quoted(written)};
  record.mechanisms.push_back(std::move(m));
  return Ok{};
}

Status parse_modifier(std::string_view term, std::size_t equals, SpfRecord& record) {
  const std::string_view name = term.substr(0, equals);
  const std::string_view value = term.substr(equals + 1);
  if (!is_modifier_name(name)) return Error{"invalid modifier name in " + quoted(term)};
  const std::string lowered = lower_ascii(name);
  if (lowered == "redirect" || lowered == "exp") {
    auto& slot = lowered == "redirect" ? record.redirect : record.explanation;
    if (slot) return Error{"more than one " + lowered + "= modifier"};  // RFC 7208 §6
    if (!check_domain_spec(value)) return Error{"invalid domain-spec in " + quoted(term)};
    slot = std::string(value);
    return Ok{};
  }
  // Unknown modifiers are ignored, but their value must be a valid macro-string (RFC 7208 §6).
  if (!check_macro_string(value, MacroContext::domain))
    return Error{"invalid macro-string in " + quoted(term)};
  return Ok{};
}

Status parse_term(std::string_view term, SpfRecord& record) {
  for (char c : term)
    if (c < 0x21 || c > 0x7e) return Error{"invalid character in term"};  // RFC 7208 §3.1, §4.6.1
  const std::size_t separator = term.find_first_of(":/=");
  if (separator != std::string_view::npos && term[separator] == '=')
    return parse_modifier(term, separator, record);
  return parse_mechanism(term, record);
}

}  // namespace

bool is_spf_record(std::string_view text) {
  if (text.size() < kVersionLength || lower_ascii(text.substr(0, kVersionLength)) != "v=spf1")
    return false;
  return text.size() == kVersionLength || text[kVersionLength] == ' ';
}

Result<SpfRecord> parse_record(std::string_view text) {
  if (text.size() > kMaxRecordLength)
    return Error{"record longer than " + std::to_string(kMaxRecordLength) + " octets"};
  SpfRecord record;
  std::size_t pos = kVersionLength;
  std::size_t terms = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ') {  // terms are separated by one or more spaces (RFC 7208 §4.6.1)
      ++pos;
      continue;
    }
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    if (++terms > kMaxTerms) return Error{"more than " + std::to_string(kMaxTerms) + " terms"};
    if (Status term = parse_term(text.substr(pos, end - pos), record); !term) {
      return Error{term.error()};
    }
    pos = end;
  }
  return record;
}

Status check_domain_spec(std::string_view spec) {
  if (spec.empty()) return Error{"empty domain-spec"};
  if (Status macros = check_macro_string(spec, MacroContext::domain); !macros) return macros;
  if (ends_with_macro_expand(spec)) return Ok{};
  if (spec.back() == '.') spec.remove_suffix(1);
  if (ends_with_macro_expand(spec)) return Ok{};
  const std::size_t dot = spec.rfind('.');
  if (dot == std::string_view::npos || !is_toplabel(spec.substr(dot + 1)))
    return Error{"domain-spec does not end in a valid top-level label"};
  return Ok{};
}

}  // namespace authmilter::spf
