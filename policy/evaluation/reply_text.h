// reply_text.h - make text from the wire safe for an SMTP reply line.
//
// SPF explanations come from the sender's DNS: they may hold CR/LF (a second reply line, or
// worse), other control bytes, 8-bit bytes, or be huge. The result is printable ASCII only, at most
// kMaxReplyText bytes. '%' is kept; the milter layer escapes it for libmilter.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace authmilter::evaluation {

inline constexpr std::size_t kMaxReplyText = 400;  // well under RFC 5321 §4.5.3.1.5's 512

std::string reply_text(std::string_view text);

}  // namespace authmilter::evaluation
