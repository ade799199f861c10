#include "daemon/probe_reply.h"

namespace authmilter::daemon {

std::string probe_reply_text(const std::string& nonce, const std::string& authentication_results,
                             const std::string& skip_reason) {
  std::string text = "authmilter probe " + nonce + " seen; ";
  if (!skip_reason.empty())
    text += "checks skipped for this client (" + skip_reason + "), mail from others is checked; ";
  text += "it would add Authentication-Results:";
  bool in_space = false;
  for (char c : authentication_results) {
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space) {
      in_space = true;
      continue;
    }
    if (in_space || text.back() == ':') text += ' ';
    in_space = false;
    // Control octets never reach a reply line (the AR value has none, but a reply is no place
    // to find out).
    text += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  }
  if (text.size() > kMaxProbeReplyText) text = text.substr(0, kMaxProbeReplyText - 3) + "...";
  return text;
}

}  // namespace authmilter::daemon
