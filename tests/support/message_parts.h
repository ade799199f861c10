// message_parts.h - a raw test message (LF or CRLF line ends) split as a milter would hand it
// over: header fields in order, then the body. The one splitter of the unit tests' conformance
// helpers (tests/arc, tests/dkim), the evaluation feed (evaluation_feed.h) and arc_verify_tool.
//
// Header fields run up to the first empty line; a line starting with a space or a tab continues
// the field before it; a line without a colon (an mbox "From " line) is skipped. Each value is
// the raw text after the colon: its leading blank, its folds and its final line end kept.
// No GoogleTest here, so that a plain test program (arc_verify_tool) can use it too.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authmilter::testing {

struct MessageParts {
  std::vector<std::pair<std::string, std::string>> headers;  // name, raw value after ':'
  std::string body;
};

MessageParts split_message(std::string_view raw);

// Headers one by one, end_of_headers(), then the body in chunks of `chunk_size` bytes: how the
// streaming verifiers (ArcVerifier, DkimVerifier) are fed; the chunk sizes find cut bugs.
template <class Verifier>
void stream_message(Verifier& verifier, const MessageParts& parts, std::size_t chunk_size) {
  for (const auto& [name, value] : parts.headers) verifier.add_header(name, value);
  verifier.end_of_headers();
  for (std::size_t offset = 0; offset < parts.body.size(); offset += chunk_size) {
    const std::size_t length = std::min(chunk_size, parts.body.size() - offset);
    verifier.add_body(std::span<const char>(parts.body.data() + offset, length));
  }
}

// Every bare LF becomes CRLF; CRLF stays.
std::string to_crlf(std::string_view text);

// The value without its final LF or CRLF, as libmilter hands a header value over.
std::string_view without_line_end(std::string_view line);

}  // namespace authmilter::testing
