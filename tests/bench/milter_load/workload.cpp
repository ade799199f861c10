// workload.cpp - loading .eml files and envelopes (see workload.h).
#include "workload.h"

#include <fstream>
#include <sstream>

namespace authmilter::bench {
namespace {

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot open " + path};
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxMessageBytes) return Error{path + ": larger than 10 MB"};
  }
  return text;
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(line);
  while (std::getline(in, part, separator)) parts.push_back(part);
  return parts;
}

// next_line - the line starting at pos without its LF/CRLF; pos moves past the line end.
std::string next_line(const std::string& text, std::size_t& pos) {
  const std::size_t eol = text.find('\n', pos);
  const std::size_t stop = eol == std::string::npos ? text.size() : eol;
  std::string line = text.substr(pos, stop - pos);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  pos = eol == std::string::npos ? text.size() : eol + 1;
  return line;
}

Result<Message> parse_envelope(const std::string& directory, const std::string& line) {
  const auto fields = split(line, '\t');
  if (fields.size() != 5) return Error{"expected 5 tab-separated fields"};
  auto text = read_file(directory + "/" + fields[0]);
  if (!text) return Error{text.error()};
  auto message = split_message(*text);
  if (!message) return Error{fields[0] + ": " + message.error()};
  message->file = fields[0];
  message->client_ip = fields[1];
  message->client_ipv6 = fields[1].find(':') != std::string::npos;
  message->helo = fields[2];
  message->mail_from = fields[3];
  message->recipients = split(fields[4], ',');
  if (message->recipients.empty() || message->recipients.size() > kMaxRecipients) {
    return Error{"between 1 and 100 recipients required"};
  }
  return message;
}

}  // namespace

Result<Message> split_message(const std::string& text) {
  Message message;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::string line = next_line(text, pos);
    if (line.empty()) break;  // end of the header section
    if ((line[0] == ' ' || line[0] == '\t')) {
      if (message.headers.empty()) return Error{"continuation line before any header field"};
      message.headers.back().value += "\n" + line;  // Postfix keeps folds as LF
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return Error{"header line without a name"};
    if (message.headers.size() == kMaxHeaderFields) return Error{"more than 1000 header fields"};
    message.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
  }
  message.body.reserve(text.size() - pos + text.size() / 32);
  while (pos < text.size()) {
    message.body += next_line(text, pos);
    message.body += "\r\n";
  }
  return message;
}

Result<Workload> load_workload(const std::string& directory) {
  const std::string index = directory + "/envelopes.tsv";
  std::ifstream in(index);
  if (!in) return Error{"cannot open " + index};
  Workload workload;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    if (workload.messages.size() == kMaxMessages) return Error{index + ": too many messages"};
    auto message = parse_envelope(directory, line);
    if (!message) return Error{index + ":" + std::to_string(number) + ": " + message.error()};
    workload.messages.push_back(std::move(*message));
  }
  if (workload.messages.empty()) return Error{index + ": no messages"};
  return workload;
}

}  // namespace authmilter::bench
