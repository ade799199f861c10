// domain_name.h - the small domain-name operations DMARC needs (normalise, split, compare).
//
// DMARC compares names case-insensitively (RFC 9989 §3.2.2, RFC 4343) and works on A-labels
// (RFC 9989 §5.3.1: U-labels are converted before processing). normalize_domain() is the one
// gate every name passes: it lower-cases ASCII, drops one trailing root dot and rejects what
// is not a usable host name (empty labels, over-long labels or names, bytes outside
// letters/digits/'-'/'_'). Pure functions, no allocation beyond the returned strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/domain_name.h"

namespace authmilter::dmarc {

inline constexpr std::size_t kMaxLabelLength = 63;  // RFC 1035 §2.3.4

// normalize_domain - lower-cased name without trailing dot, or nullopt when not a valid name.
std::optional<std::string> normalize_domain(std::string_view name);

// split_labels - "a.b.c" -> {"a","b","c"}; the input must already be normalised.
std::vector<std::string_view> split_labels(std::string_view domain);

// label_count - number of labels of a normalised name (0 for "").
std::size_t label_count(std::string_view domain);

// last_labels - the right-most `count` labels of a normalised name (the whole name if fewer).
std::string last_labels(std::string_view domain, std::size_t count);

}  // namespace authmilter::dmarc
