#include "check/message_file.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace authmilter::check {

namespace {

std::string without_line_end(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

std::string with_crlf(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

}  // namespace

StoredMessage split_message(const std::string& raw) {
  StoredMessage message;
  std::size_t position = 0;
  // An mbox "From " separator line (its time has colons) is no header field.
  if (raw.starts_with("From ")) {
    const std::size_t end = raw.find('\n');
    position = end == std::string::npos ? raw.size() : end + 1;
  }
  while (position < raw.size()) {
    std::size_t end = raw.find('\n', position);
    end = end == std::string::npos ? raw.size() : end + 1;
    const std::string line = raw.substr(position, end - position);
    position = end;
    if (line == "\n" || line == "\r\n") break;  // end of the header section
    if ((line[0] == ' ' || line[0] == '\t') && !message.headers.empty()) {
      message.headers.back().second += line;  // folded continuation
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos || message.headers.size() >= kMaxHeaderFields) continue;
    message.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  for (auto& field : message.headers) field.second = without_line_end(field.second);
  message.body = with_crlf(raw.substr(std::min(position, raw.size())));
  return message;
}

Result<StoredMessage> read_message_file(const std::string& path) {
  std::error_code error;  // a directory opens and reads as empty: say so instead
  if (std::filesystem::is_directory(path, error)) return Error{path + ": is a directory"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot read the message"};
  std::string raw;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    raw.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (raw.size() > kMaxMessageBytes) return Error{path + ": message larger than 64 MiB"};
  }
  if (in.bad()) return Error{path + ": read error"};
  return split_message(raw);
}

}  // namespace authmilter::check
