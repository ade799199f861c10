#include "dkim/line_endings.h"

namespace authmilter::dkim {

std::string crlf_header_value(std::string_view value) {
  if (value.ends_with("\r\n")) {
    value.remove_suffix(2);
  } else if (value.ends_with('\n') || value.ends_with('\r')) {
    value.remove_suffix(1);
  }
  std::string out;
  out.reserve(value.size() + 8);
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
      out += "\r\n";
      ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string BodyNormalizer::feed(std::span<const char> chunk) {
  std::string out;
  out.reserve(chunk.size() + chunk.size() / 32 + 2);
  for (char c : chunk) {
    if (pending_cr_) {
      pending_cr_ = false;
      out.push_back('\r');
      if (c == '\n') {
        out.push_back('\n');
        continue;
      }
    }
    if (c == '\r') {
      pending_cr_ = true;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string BodyNormalizer::flush() {
  if (!pending_cr_) return {};
  pending_cr_ = false;
  return "\r";
}

}  // namespace authmilter::dkim
