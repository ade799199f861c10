// smtp_sender.h - report delivery by SMTP submission (RFC 6409) with STARTTLS and AUTH PLAIN.
//
// One connection per message: EHLO, STARTTLS (RFC 3207) when offered or required, EHLO again,
// AUTH PLAIN (RFC 4616) when a user name is configured - only over TLS, never in clear -,
// MAIL FROM, RCPT TO, DATA (CRLF line ends, dot-stuffed, RFC 5321 §4.5.2), QUIT. send()
// returns Ok only after the server's 250 to the final dot: then the server owns the message.
#pragma once

#include <string>

#include "report/report_options.h"
#include "report/report_sender.h"

namespace authmilter::report {

class SmtpSender final : public ReportSender {
 public:
  explicit SmtpSender(SmtpOptions options) : options_(std::move(options)) {}
  Status send(const std::string& message, const std::string& recipient) override;

 private:
  SmtpOptions options_;
};

// smtp_data - a message as DATA content: CRLF line ends, leading dots doubled, final ".".
std::string smtp_data(const std::string& message);

}  // namespace authmilter::report
