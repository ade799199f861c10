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
#include "support/message_parts.h"

namespace {

using authmilter::arc::ArcResult;
using authmilter::arc::ArcVerifier;
using authmilter::testing::MessageParts;
using authmilter::testing::split_message;
using authmilter::testing::stream_message;
using authmilter::testing::without_line_end;

bool read_file(const std::string& path, std::string& contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  contents = text.str();
  return !in.bad();
}

bool load_keys(const std::string& path, authmilter::dns::ZoneResolver& zone) {
  std::string text;
  if (!read_file(path, text)) return false;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    line = std::string(without_line_end(line));
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

// The milter hands a header value over without its final line end (the streaming verifiers of
// the unit tests keep it: both must verify the same).
MessageParts milter_fields(MessageParts message) {
  for (auto& header : message.headers) header.second = std::string(without_line_end(header.second));
  return message;
}

std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return text;
}

ArcResult verify(const authmilter::dkim::DkimLibrary& library, authmilter::dns::ZoneResolver& zone,
                 const MessageParts& message, std::size_t chunk_size, std::time_t now) {
  ArcVerifier verifier(library, zone);
  stream_message(verifier, message, chunk_size);
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
    const ArcResult result =
        verify(*library.value(), zone, milter_fields(split_message(raw)), chunk_size, now);
    std::printf("cv=%s oldest_pass=%u reason=%s\n", authmilter::arc::to_string(result.code),
                result.oldest_pass, one_line(result.reason).c_str());
  }
  return std::fflush(stdout) == 0 ? 0 : 2;
}
