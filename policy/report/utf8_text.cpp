#include "report/utf8_text.h"

#include <cctype>
#include <utility>

namespace authmilter::report {

namespace {

bool is_continuation(unsigned char c) {
  return c >= 0x80 && c <= 0xbf;
}

// RFC 3629 §4 strictly, as PostgreSQL checks it: no overlong form, no UTF-16 surrogate, nothing
// past U+10FFFF, no NUL. (libxml2's xmlCheckUTF8 lets surrogates through.)
bool is_utf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xbf;  // the range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c == 0xe0) low = 0xa0;   // overlong
      if (c == 0xed) high = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c == 0xf0) low = 0x90;   // overlong
      if (c == 0xf4) high = 0x8f;  // past U+10FFFF
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return false;
    for (std::size_t k = 2; k < length; ++k)
      if (!is_continuation(static_cast<unsigned char>(text[i + k]))) return false;
    i += length;
  }
  return true;
}

// Bytes a UTF-8 lead byte announces (2..4), or 0 if c is no lead byte.
std::size_t sequence_length(unsigned char c) {
  if (c >= 0xc2 && c <= 0xdf) return 2;
  if (c >= 0xe0 && c <= 0xef) return 3;
  if (c >= 0xf0 && c <= 0xf4) return 4;
  return 0;
}

// Length of a character cut short at the end: a lead byte and fewer continuation bytes than it
// announces; 0 if the text does not end that way.
std::size_t dangling_tail(const std::string& text) {
  for (std::size_t back = 1; back <= 3 && back <= text.size(); ++back) {
    const auto c = static_cast<unsigned char>(text[text.size() - back]);
    if (is_continuation(c)) continue;  // look further back for the lead byte
    return back < sequence_length(c) ? back : 0;
  }
  return 0;
}

}  // namespace

std::string utf8_or_ascii(std::string text) {
  if (is_utf8(text)) return text;
  if (const std::size_t tail = dangling_tail(text); tail != 0) {
    std::string shorter = text.substr(0, text.size() - tail);
    if (is_utf8(shorter)) return shorter;
  }
  for (char& c : text)
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\0') c = '?';
  return text;
}

void clean_stored_text(std::string& text, std::size_t limit) {
  std::erase_if(text, [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; });
  if (text.size() > limit) text.resize(limit);
  text = utf8_or_ascii(std::move(text));
}

}  // namespace authmilter::report
