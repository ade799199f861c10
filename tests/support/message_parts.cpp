#include "support/message_parts.h"

#include <algorithm>
#include <cstddef>

namespace authmilter::testing {

MessageParts split_message(std::string_view raw) {
  MessageParts parts;
  std::size_t position = 0;
  while (position < raw.size()) {
    std::size_t end = raw.find('\n', position);
    end = end == std::string_view::npos ? raw.size() : end + 1;
    const std::string_view line = raw.substr(position, end - position);
    position = end;
    if (line == "\n" || line == "\r\n") break;  // end of the header section
    if ((line.front() == ' ' || line.front() == '\t') && !parts.headers.empty()) {
      parts.headers.back().second += line;  // folded continuation
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // e.g. an mbox "From " line
    parts.headers.emplace_back(std::string(line.substr(0, colon)),
                               std::string(line.substr(colon + 1)));
  }
  parts.body = std::string(raw.substr(std::min(position, raw.size())));
  return parts;
}

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

std::string_view without_line_end(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace authmilter::testing
