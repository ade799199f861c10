// tag_list.h - RFC 6376 §3.2 tag=value lists, as used by DKIM-Signature fields and key records.
//
// parse_tag_list() is pure. It accepts `tag = value ; tag = value ;` with folding whitespace
// around names, '=' and values; values keep inner whitespace (callers strip it where the RFC says
// whitespace is ignored: b=, bh=, p=). Returns nullopt for a malformed list, a duplicated tag
// (RFC 6376 §3.2: "Tags with duplicate names MUST NOT occur ... MUST be considered invalid") or
// more than max_tags entries. Tag names are kept as written (case-sensitive per §3.2).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authmilter::dkim {

inline constexpr std::size_t kMaxTags = 64;  // a signature defines 15 tags; key records 7

struct Tag {
  std::string name;
  std::string value;  // outer whitespace trimmed
};

std::optional<std::vector<Tag>> parse_tag_list(std::string_view text,
                                               std::size_t max_tags = kMaxTags);

// The value of `name`, or nullptr.
const std::string* find_tag(const std::vector<Tag>& tags, std::string_view name);

// `value` with every whitespace character (SP, HTAB, CR, LF) removed.
std::string strip_whitespace(std::string_view value);

}  // namespace authmilter::dkim
