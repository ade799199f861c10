// ascii.h - the few ASCII text helpers every parser here needs (DNS names, tags, header names).
//
// ASCII only, on purpose: DNS names, DMARC/DKIM tags and header field names are compared
// case-insensitively in ASCII (RFC 4343, RFC 5322 §1.2.2); locale-dependent tolower would not be.
#pragma once

#include <string>
#include <string_view>

namespace authmilter {

constexpr char lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string lower_ascii(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) c = lower_ascii(c);
  return lowered;
}

inline bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  return true;
}

// Strips RFC 5234 WSP (space, tab) from both ends.
inline std::string_view trim_wsp(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace authmilter
