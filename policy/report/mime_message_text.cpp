#include "report/mime_message_text.h"

namespace authmilter::report {

Result<std::string> mime_message_text(GMimeMessage* message) {
  char* raw = g_mime_object_to_string(GMIME_OBJECT(message), nullptr);
  if (raw == nullptr) return Error{"mime: cannot serialise the message"};
  std::string out(raw);
  g_free(raw);
  return out;
}

}  // namespace authmilter::report
