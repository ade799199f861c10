// smtp_probe.h - one probe message through the MTA's SMTP port, and the reply it got.
//
// EHLO, MAIL FROM:<> (nothing can bounce), RCPT TO:<recipient>, DATA. Stops at the first reply
// that is not a success and says at which stage: a milter refusal comes at RCPT TO or after
// the final dot, Postfix's milter_default_action=tempfail at any stage.
#pragma once

#include <string>

#include "common/result.h"

namespace authmilter::check {

struct ProbeExchange {
  std::string stage;  // "greeting", "EHLO", "MAIL FROM", "RCPT TO", "DATA", "end of data"
  int code = 0;       // the last reply's code
  std::string text;   // and its text, lines joined with spaces
  bool accepted() const { return stage == "end of data" && code / 100 == 2; }
};

// The probe message itself: a header that carries the token, a body that says what it is.
std::string probe_message(const std::string& header_value, const std::string& nonce,
                          const std::string& recipient);

Result<ProbeExchange> send_probe(const std::string& host, int port, const std::string& recipient,
                                 const std::string& message);

}  // namespace authmilter::check
