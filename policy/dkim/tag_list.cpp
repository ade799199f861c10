#include "dkim/tag_list.h"

#include <cctype>

namespace authmilter::dkim {

namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_wsp(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_wsp(text.back())) text.remove_suffix(1);
  return text;
}

// RFC 6376 §3.2: tag-name = ALPHA *ALNUMPUNC, ALNUMPUNC = ALPHA / DIGIT / "_".
bool valid_tag_name(std::string_view name) {
  if (name.empty() || std::isalpha(static_cast<unsigned char>(name.front())) == 0) return false;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
  }
  return true;
}

// tval characters are printable ASCII except ';'; whitespace may appear inside (folding).
bool valid_tag_value(std::string_view value) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (!is_wsp(c) && (u < 0x21 || u > 0x7e)) return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<Tag>> parse_tag_list(std::string_view text, std::size_t max_tags) {
  std::vector<Tag> tags;
  while (!text.empty()) {
    const std::size_t end = text.find(';');
    std::string_view spec = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (trim(spec).empty()) {
      // Only a trailing ';' (or trailing whitespace) may leave an empty spec.
      if (trim(text).empty()) break;
      return std::nullopt;
    }
    const std::size_t equals = spec.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    const std::string_view name = trim(spec.substr(0, equals));
    const std::string_view value = trim(spec.substr(equals + 1));
    if (!valid_tag_name(name) || !valid_tag_value(value)) return std::nullopt;
    if (find_tag(tags, name) != nullptr || tags.size() >= max_tags) return std::nullopt;
    tags.push_back(Tag{std::string(name), std::string(value)});
  }
  return tags;
}

const std::string* find_tag(const std::vector<Tag>& tags, std::string_view name) {
  for (const Tag& tag : tags) {
    if (tag.name == name) return &tag.value;
  }
  return nullptr;
}

std::string strip_whitespace(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (!is_wsp(c)) out.push_back(c);
  }
  return out;
}

}  // namespace authmilter::dkim
