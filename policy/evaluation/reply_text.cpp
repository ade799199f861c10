#include "evaluation/reply_text.h"

namespace authmilter::evaluation {

std::string reply_text(std::string_view text) {
  std::string safe;
  safe.reserve(std::min(text.size(), kMaxReplyText));
  for (unsigned char c : text) {
    if (safe.size() >= kMaxReplyText) break;
    safe += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : ' ';
  }
  return safe;
}

}  // namespace authmilter::evaluation
