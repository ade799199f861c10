#include "spf/domain_name.h"

namespace authmilter::spf {

namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view without_trailing_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

}  // namespace

bool is_toplabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelLength) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  bool has_alpha = false;
  bool has_dash = false;
  for (char c : label) {
    if (is_alpha(c)) {
      has_alpha = true;
    } else if (c == '-') {
      has_dash = true;
    } else if (!is_digit(c)) {
      return false;
    }
  }
  // The second ABNF alternative admits an all-numeric label only when it has a dash inside.
  return has_alpha || has_dash;
}

bool is_queryable_name(std::string_view name) {
  name = without_trailing_dot(name);
  if (name.empty() || name.size() > kMaxDomainNameLength) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? name.size() : dot;
    if (end == start || end - start > kMaxLabelLength) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_valid_identity_domain(std::string_view domain) {
  domain = without_trailing_dot(domain);
  if (!is_queryable_name(domain)) return false;
  for (char c : domain)
    if (c <= ' ' || c >= 0x7f) return false;
  const std::size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos) return false;  // not fully qualified
  return is_toplabel(domain.substr(dot + 1));
}

std::string truncate_domain(std::string_view name) {
  name = without_trailing_dot(name);
  while (name.size() > kMaxDomainNameLength) {
    const std::size_t dot = name.find('.');
    if (dot == std::string_view::npos) return {};  // one label longer than any name
    name.remove_prefix(dot + 1);
  }
  return std::string(name);
}

}  // namespace authmilter::spf
