// probe_reply.h - what the daemon answers to a verified authmilter-check probe (probe_token.h).
//
// 550 5.7.0 with the Authentication-Results header it would have added, on one reply line:
// folding becomes single spaces and the text is cut to fit libmilter's 980-octet reply bound.
// skip_reason: why this client's mail is not checked ("trusted network"), or empty; a probe from
// such a client proves the wiring but shows no verdict, and the reply says so.
#pragma once

#include <string>

namespace authmilter::daemon {

inline constexpr const char* kProbeReplyCode = "550";
inline constexpr const char* kProbeReplyEnhanced = "5.7.0";
inline constexpr std::size_t kMaxProbeReplyText = 900;

std::string probe_reply_text(const std::string& nonce, const std::string& authentication_results,
                             const std::string& skip_reason);

}  // namespace authmilter::daemon
