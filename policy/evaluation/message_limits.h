// message_limits.h - how much one message may make us keep and do (peer data is untrusted).
//
// Plain values, filled by conf/ from the `limits:` section (defaults below) and read by
// MessageEvaluation. A bound that is hit is reported once per message as a LimitBreach (which
// bound, the configured limit, the value seen) so that the caller writes ONE log line for it;
// policy/ itself does not log. The SMTP answer that goes with a breach is in the StageReply or
// MessageOutcome::reply the stage returns:
//   max_recipients     each extra RCPT TO: 452 4.5.3 (RFC 5321 §4.5.3.1.10, RFC 3463 §3.6)
//   max_header_fields  end of message: 552 5.3.4 "message too big for system" (RFC 3463 §3.4)
//   max_header_bytes   end of message: 552 5.3.4
//   max_forged_authres_headers
//                      Authentication-Results fields carrying our authserv-id, each one deleted;
//                      over it, end of message: 550 5.7.1 (we could not clean the message).
//   DKIM signatures    beyond dkim.max_signatures: not verified, dkim=policy (RFC 6376 §6.1);
//                      the message is not refused for it.
// Header bounds are answered at end of message because on unix sockets the header stages are
// negotiated without a reply (SMFIP_NR_HDR): no refusal can be sent there.
#pragma once

#include <cstddef>
#include <string>

namespace authmilter::evaluation {

// RFC 5321 §4.5.3.1.8 requires accepting at least 100 recipients; Postfix's
// smtpd_recipient_limit defaults to 1000, and so do we (beyond it Postfix itself says 452 4.5.3).
inline constexpr std::size_t kDefaultMaxRecipients = 1000;
// RFC 5322 sets no count and libopendkim's header list grows without bound, so we set one: 1000
// fields is far above real mail (a long mailing-list trace has about a hundred).
inline constexpr std::size_t kDefaultMaxHeaderFields = 1000;
// The whole header section, names and values. Postfix's header_size_limit (102400) bounds one
// field and Sendmail's MaxHeadersLength (32768) the section; 1 MiB stays above both.
inline constexpr std::size_t kDefaultMaxHeaderBytes = std::size_t{1024} * 1024;

// Forged Authentication-Results fields (our authserv-id) deleted one milter request each; a
// message with more than this is refused, not passed on half cleaned (CVE-2022-48521's class).
inline constexpr std::size_t kDefaultMaxForgedAuthresHeaders = 100;

struct MessageLimits {
  std::size_t max_recipients = kDefaultMaxRecipients;
  std::size_t max_header_fields = kDefaultMaxHeaderFields;
  std::size_t max_header_bytes = kDefaultMaxHeaderBytes;  // names + values, as received
  std::size_t max_forged_authres_headers = kDefaultMaxForgedAuthresHeaders;
};

// One bound that a message went over: logged once by the caller.
struct LimitBreach {
  std::string bound;        // the configuration key: "limits.max_recipients", ...
  std::size_t limit = 0;    // its configured value
  std::size_t value = 0;    // what the message reached when it was noticed
  std::string consequence;  // "recipient refused 452 4.5.3", ...
};

// "limits.max_recipients=1000 exceeded (1001): recipient refused 452 4.5.3"
std::string describe(const LimitBreach& breach);

}  // namespace authmilter::evaluation
