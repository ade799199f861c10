// domain_name.h - the domain-name facts every check shares: the length limit and "is under".
//
// One home for what SPF, DKIM, DMARC, the local policy and the AR writer each used to spell
// themselves (with drifting meanings: "subdomain" counted equality in one place and not in
// another). Comparisons are ASCII case-insensitive and ignore one trailing dot, so they give the
// same answer for normalised and raw names; neither allocates.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/ascii.h"

namespace authmilter {

// RFC 1035 §2.3.4: 255 octets on the wire, so at most 253 in presentation form (no final dot).
inline constexpr std::size_t kMaxDomainNameLength = 253;

namespace domain_name_detail {
inline std::string_view without_trailing_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}
}  // namespace domain_name_detail

// name is parent itself or ends in "." + parent ("a.b.example" and "b.example" under
// "b.example"; "xb.example" is not).
inline bool is_same_or_subdomain(std::string_view name, std::string_view parent) {
  name = domain_name_detail::without_trailing_dot(name);
  parent = domain_name_detail::without_trailing_dot(parent);
  if (parent.empty() || name.size() < parent.size()) return false;
  if (!equal_ignoring_case(name.substr(name.size() - parent.size()), parent)) return false;
  return name.size() == parent.size() || name[name.size() - parent.size() - 1] == '.';
}

// name ends in "." + parent: a subdomain, never parent itself.
inline bool is_proper_subdomain(std::string_view name, std::string_view parent) {
  return is_same_or_subdomain(name, parent) &&
         domain_name_detail::without_trailing_dot(name).size() >
             domain_name_detail::without_trailing_dot(parent).size();
}

}  // namespace authmilter
