#include "injection_check.h"

namespace authmilter::authres::testing {

bool only_own_folds(std::string_view text, FoldStyle fold) {
  const std::string_view fws = fold == FoldStyle::crlf ? "\r\n\t" : "\n\t";
  for (std::size_t pos = 0; pos < text.size();) {
    if (text.substr(pos, fws.size()) == fws) {
      pos += fws.size();
      continue;
    }
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c < 0x20 || c == 0x7f) return false;
    ++pos;
  }
  return true;
}

std::size_t longest_line(std::string_view text) {
  std::size_t longest = 0;
  std::size_t current = 0;
  for (char c : text) {
    if (c == '\r' || c == '\n') {
      current = 0;
      continue;
    }
    if (++current > longest) longest = current;
  }
  return longest;
}

bool is_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    std::size_t length = 1;
    if (lead >= 0xf0) {
      length = 4;
    } else if (lead >= 0xe0) {
      length = 3;
    } else if (lead >= 0xc0) {
      length = 2;
    } else if (lead >= 0x80) {
      return false;
    }
    if (pos + length > text.size()) return false;
    for (std::size_t i = 1; i < length; ++i) {
      if ((static_cast<unsigned char>(text[pos + i]) & 0xc0) != 0x80) return false;
    }
    pos += length;
  }
  return true;
}

}  // namespace authmilter::authres::testing
