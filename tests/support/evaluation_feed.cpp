#include "support/evaluation_feed.h"

#include "support/message_parts.h"

namespace authmilter::testing {

void feed(evaluation::MessageEvaluation& message, std::string_view raw) {
  const MessageParts parts = split_message(to_crlf(raw));
  for (const auto& [name, value] : parts.headers) message.header(name, without_line_end(value));
  message.end_of_headers();
  message.body_chunk({parts.body.data(), parts.body.size()});
}

}  // namespace authmilter::testing
