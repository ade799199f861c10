// arc_verify_tool.cpp - test-only: authmilter's ArcVerifier over message files, for
// run_differential.py (the ARC differential test against dkimpy and Mail::DKIM).
//
// Usage: arc_verify_tool --keys KEYS.tsv [--chunk N] [--now T] MESSAGE...
//   KEYS.tsv  "owner<TAB>TXT record" lines (blank and '#' lines skipped), served from a
//             dns::ZoneResolver; nothing else is resolvable and nothing touches the network.
//   --chunk   body bytes per add_body() call (default 65536)
//   --now     the time finish() judges t= and x= by (default: time(nullptr))
//   MESSAGE   a raw message, LF or CRLF line ends.
// For each MESSAGE, in order, prints one line:
//   cv=<none|pass|fail|temperror> oldest_pass=<K> reason=<reason, line ends as spaces>
// The verifier is fed as the milter feeds it: every header field in order (name, raw value after
// the colon with its leading whitespace and folded lines, without the final line end), then
// end_of_headers(), then the body in chunks, then finish(). Exit status 0, or 2 when a file
// cannot be read or the arguments are wrong (then nothing about verdicts is printed for it).
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arc/arc_result.h"
#include "arc/arc_verifier.h"
#include "dkim/dkim_library.h"
#include "dkim/dkim_options.h"
#include "dns/zone_resolver.h"

namespace {

using authmilter::arc::ArcResult;
using authmilter::arc::ArcVerifier;

bool read_file(const std::string& path, std::string& contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  contents = text.str();
  return !in.bad();
}

std::string without_line_end(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return std::string(line);
}

bool load_keys(const std::string& path, authmilter::dns::ZoneResolver& zone) {
  std::string text;
  if (!read_file(path, text)) return false;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    line = without_line_end(line);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0) {
      std::fprintf(stderr, "arc_verify_tool: %s: not name<TAB>record: %s\n", path.c_str(),
                   line.c_str());
      return false;
    }
    zone.add_txt(line.substr(0, tab), line.substr(tab + 1));
  }
  return true;
}

struct Message {
  std::vector<std::pair<std::string, std::string>> headers;  // name, raw value after ':'
  std::string body;
};

// Header fields up to the first empty line (a line starting with space or tab continues the
// field before it), then the body as it is.
Message split_message(std::string_view raw) {
  Message message;
  std::size_t position = 0;
  while (position < raw.size()) {
    std::size_t end = raw.find('\n', position);
    end = end == std::string_view::npos ? raw.size() : end + 1;
    const std::string_view line = raw.substr(position, end - position);
    position = end;
    if (line == "\n" || line == "\r\n") break;
    if ((line.front() == ' ' || line.front() == '\t') && !message.headers.empty()) {
      message.headers.back().second += line;
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    message.headers.emplace_back(std::string(line.substr(0, colon)),
                                 std::string(line.substr(colon + 1)));
  }
  for (auto& header : message.headers) header.second = without_line_end(header.second);
  message.body = std::string(raw.substr(std::min(position, raw.size())));
  return message;
}

std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return text;
}

ArcResult verify(const authmilter::dkim::DkimLibrary& library, authmilter::dns::ZoneResolver& zone,
                 const Message& message, std::size_t chunk_size, std::time_t now) {
  ArcVerifier verifier(library, zone);
  for (const auto& [name, value] : message.headers) verifier.add_header(name, value);
  verifier.end_of_headers();
  for (std::size_t offset = 0; offset < message.body.size(); offset += chunk_size) {
    const std::size_t length = std::min(chunk_size, message.body.size() - offset);
    verifier.add_body(std::span<const char>(message.body.data() + offset, length));
  }
  return verifier.finish(now);
}

int usage() {
  std::fprintf(stderr, "usage: arc_verify_tool --keys KEYS.tsv [--chunk N] [--now T] MESSAGE...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string keys_path;
  std::size_t chunk_size = 65536;
  std::time_t now = std::time(nullptr);
  std::vector<std::string> messages;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if ((argument == "--keys" || argument == "--chunk" || argument == "--now") && i + 1 < argc) {
      const std::string value = argv[++i];
      if (argument == "--keys") {
        keys_path = value;
        continue;
      }
      char* end = nullptr;
      const unsigned long long number = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0') return usage();
      if (argument == "--chunk") {
        if (number == 0) return usage();
        chunk_size = static_cast<std::size_t>(number);
      } else {
        now = static_cast<std::time_t>(number);
      }
    } else if (!argument.empty() && argument.front() == '-') {
      return usage();
    } else {
      messages.push_back(argument);
    }
  }
  if (keys_path.empty() || messages.empty()) return usage();

  authmilter::dns::ZoneResolver zone;
  if (!load_keys(keys_path, zone)) {
    std::fprintf(stderr, "arc_verify_tool: cannot load keys from %s\n", keys_path.c_str());
    return 2;
  }
  auto library = authmilter::dkim::DkimLibrary::create(authmilter::dkim::DkimOptions{});
  if (!library.ok()) {
    std::fprintf(stderr, "arc_verify_tool: %s\n", library.error().c_str());
    return 2;
  }

  for (const std::string& path : messages) {
    std::string raw;
    if (!read_file(path, raw)) {
      std::fprintf(stderr, "arc_verify_tool: cannot read %s\n", path.c_str());
      return 2;
    }
    const ArcResult result = verify(*library.value(), zone, split_message(raw), chunk_size, now);
    std::printf("cv=%s oldest_pass=%u reason=%s\n", authmilter::arc::to_string(result.code),
                result.oldest_pass, one_line(result.reason).c_str());
  }
  return std::fflush(stdout) == 0 ? 0 : 2;
}
