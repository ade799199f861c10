#include "dns/query_name.h"

#include <cstdio>

namespace authmilter::dns {

namespace {

bool is_plain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

void append_escaped(std::string& out, std::string_view label) {
  for (const char ch : label) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_plain(c)) {
      out.push_back(ch);
      continue;
    }
    char escape[5];
    std::snprintf(escape, sizeof escape, "\\%03u", static_cast<unsigned>(c));
    out.append(escape, 4);
  }
}

}  // namespace

std::optional<std::string> to_query_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return std::nullopt;
  std::string out;
  out.reserve(name.size() + 1);
  std::size_t wire_length = 1;  // the root label's length octet
  while (true) {
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > kMaxLabelLength) return std::nullopt;
    wire_length += 1 + label.size();
    if (wire_length > kMaxWireNameLength) return std::nullopt;
    append_escaped(out, label);
    out.push_back('.');
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  return out;
}

}  // namespace authmilter::dns
