// refusal.h - an SMTP refusal as the MTA is to send it: the RFC 5321 reply code, the RFC 3463
// enhanced status code and one line of text. A Decision carries the one it asks for; a
// StageReply (evaluation/message_evaluation.h) carries it to the milter as it is.
#pragma once

#include <string>

namespace authmilter::decision {

struct Refusal {
  std::string code;      // "550"
  std::string enhanced;  // "5.7.1"
  std::string text;      // printable ASCII, one line, no CR/LF

  friend bool operator==(const Refusal&, const Refusal&) = default;
};

}  // namespace authmilter::decision
