// domain_name.h - domain-name checks and shaping for SPF (RFC 7208 §4.3, §7.1, §7.3).
//
// Pure functions on ASCII text; nothing here does DNS. Names are compared and returned without
// a trailing dot. Every function accepts hostile input of any length without failing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/ascii.h"
#include "common/domain_name.h"

namespace authmilter::spf {

inline constexpr std::size_t kMaxLabelLength = 63;  // RFC 1035 §2.3.4

// is_toplabel - RFC 7208 §7.1 `toplabel`: alphanumerics and inner dashes, not all digits.
bool is_toplabel(std::string_view label);

// is_queryable_name - a name that a DNS query can be made for: non-empty labels of at most 63
// octets, at most 253 octets in all (a trailing dot allowed). Anything else is treated as a
// name that does not exist (RFC 7208 §4.3, §4.8).
bool is_queryable_name(std::string_view name);

// is_valid_identity_domain - RFC 7208 §4.3 initial processing: a queryable FQDN (at least two
// labels, the last a toplabel). Anything else, e.g. a domain literal, gives result "none".
bool is_valid_identity_domain(std::string_view domain);

// truncate_domain - RFC 7208 §7.3: drop the trailing dot, then drop labels from the left until
// the name is at most 253 octets long.
std::string truncate_domain(std::string_view name);

}  // namespace authmilter::spf
