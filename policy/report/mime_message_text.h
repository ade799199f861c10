// mime_message_text.h - a GMime message as the text handed to the mailer.
//
// mime_message_text() serialises a built message (aggregate or failure report) with GMime's
// own writer; an Error when GMime cannot. The message is borrowed and not changed.
#pragma once

#include <gmime/gmime.h>

#include <string>

#include "common/result.h"

namespace authmilter::report {

Result<std::string> mime_message_text(GMimeMessage* message);

}  // namespace authmilter::report
