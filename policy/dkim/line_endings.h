// line_endings.h - CRLF normalization for what the MTA hands us (RFC 5322 §2.1, RFC 6376 §5.3).
//
// DKIM hashes CRLF line ends; milters and files often carry bare LF. crlf_header_value() fixes
// one header field value (folded lines). BodyNormalizer fixes a body that arrives in chunks:
// bare LF becomes CRLF, and a CR ending one chunk is held back until the next chunk shows
// whether an LF follows, so a CRLF split across chunks stays one CRLF.
// Call order for BodyNormalizer: feed() any number of times, then flush() once.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace authmilter::dkim {

// `value` with every bare LF turned into CRLF (a bare CR is kept as it is), and one trailing line
// end removed (the field's own terminator is not part of the value).
std::string crlf_header_value(std::string_view value);

class BodyNormalizer {
 public:
  // The normalized bytes of `chunk` that are final; a trailing CR is held back.
  std::string feed(std::span<const char> chunk);
  // What is still held back (a lone CR at the very end of the body stays a lone CR).
  std::string flush();

 private:
  bool pending_cr_ = false;
};

}  // namespace authmilter::dkim
