// fuzz_message.h - what the fuzz targets share: the one DkimLibrary (every target that verifies
// DKIM or ARC), and for the streaming-verifier targets (arc_fuzz, dkim_fuzz) the input's first
// line (a key record) taken off and the rest fed to a verifier as libmilter would: header fields
// (value after the colon, folds joined by CRLF, no final line end), end_of_headers(), then the
// body in chunks. A line's final CR is dropped; a line without a colon ends the field before it
// and is skipped, as are folds that follow it; the first empty line ends the header section.
// Header-only, as each target is one program built from its own sources (CMakeLists.txt).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "dkim/dkim_library.h"

namespace authmilter::fuzz {

inline const dkim::DkimLibrary& dkim_library() {
  static const auto created = dkim::DkimLibrary::create({});
  if (!created.ok()) __builtin_trap();
  return **created;
}

// The text up to the first LF (all of it when there is none); `input` keeps what follows it.
inline std::string take_first_line(std::string_view& input) {
  const auto newline = input.find('\n');
  std::string line(input.substr(0, newline));
  input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  return line;
}

// Hands every header field to add_field(name, value) and returns the body (after the empty line).
template <class AddField>
std::string_view split_header_fields(std::string_view input, AddField&& add_field) {
  std::string name, value;
  const auto flush = [&] {
    if (!name.empty()) add_field(name, value);
    name.clear();
  };
  while (!input.empty()) {
    const auto end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if (line.front() == ' ' || line.front() == '\t') {
      value += "\r\n";
      value += line;
      continue;
    }
    flush();
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    name = std::string(line.substr(0, colon));
    value = std::string(line.substr(colon + 1));
  }
  flush();
  return input;
}

// end_of_headers(), then the body in pieces of `chunk` bytes.
template <class Verifier>
void feed_body(Verifier& verifier, std::string_view body, std::size_t chunk) {
  verifier.end_of_headers();
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    const std::string_view piece = body.substr(at, chunk);
    verifier.add_body({piece.data(), piece.size()});
  }
}

}  // namespace authmilter::fuzz
