// evaluation_feed.h - a raw message (LF or CRLF line ends) through a MessageEvaluation as the
// milter hands it over: every header field (value with its leading blank and inner CRLF folds,
// without the final line end), end_of_headers(), then the body (CRLF) in one chunk.
// Shared by the evaluation and failure-report tests that judge whole messages.
#pragma once

#include <string_view>

#include "evaluation/message_evaluation.h"

namespace authmilter::testing {

void feed(evaluation::MessageEvaluation& message, std::string_view raw);

}  // namespace authmilter::testing
