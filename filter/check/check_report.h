// check_report.h - what authmilter-check prints: the AR header, the action and why.
//
// Pure formatting of a CheckReport (built by run_check from the MessageOutcome, or from a
// refusal at RCPT TO) as text (one "Name: value" line each, the AR header folded as the daemon
// writes it) or as one JSON object (RFC 8259; every string escaped, control bytes as \u00XX).
#pragma once

#include <string>

#include "evaluation/message_evaluation.h"

namespace authmilter::check {

struct CheckReport {
  std::string skip_reason;
  std::string refused_at;  // "RCPT TO" when the SPF policy refused a recipient, else ""
  evaluation::StageReply reply;
  evaluation::MessageOutcome outcome;  // empty when refused_at is set
};

std::string format_text(const CheckReport& report);
std::string format_json(const CheckReport& report);

}  // namespace authmilter::check
