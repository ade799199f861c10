// check_report.h - what authmilter-check prints: the AR header, the action and why.
//
// Pure formatting of a CheckReport (built by run_check from the MessageOutcome, or from a
// refusal at RCPT TO) as text (one "Name: value" line each, a "Limit:" line per bound hit, the AR
// header folded as the daemon writes it) or as one JSON object (RFC 8259; every string escaped,
// control bytes as \u00XX).
#pragma once

#include <string>
#include <vector>

#include "evaluation/message_evaluation.h"

namespace authmilter::check {

struct CheckReport {
  std::string skip_reason;
  std::string refused_at;  // "RCPT TO" when the SPF policy refused a recipient, else ""
  evaluation::StageReply reply;
  evaluation::MessageOutcome outcome;  // empty when refused_at is set
  // The bounds of the `limits:` section this message went over, worded as the daemon's log line
  // ("limits.max_header_fields=1000 exceeded (1004): message refused 552 5.3.4").
  std::vector<std::string> limits;
};

std::string format_text(const CheckReport& report);
std::string format_json(const CheckReport& report);

}  // namespace authmilter::check
