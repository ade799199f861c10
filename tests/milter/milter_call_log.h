// milter_call_log.h - one ordered log of what the milter stages did to the MTA and the store.
//
// RecordingMilterContext and RecordingStore write into the same log, one line per call, so that
// a test sees the edits, the report row and the reply in the order they happened:
//   delete_header Authentication-Results 3
//   insert_header 0 Authentication-Results: <value>
//   add_header X-Spam-Flag: <value>
//   store.append <queue id>
//   quarantine <reason>
//   set_reply 550 5.7.1 <text>
#pragma once

#include <string>
#include <vector>

namespace authmilter::daemon::testing {

using MilterCallLog = std::vector<std::string>;

}  // namespace authmilter::daemon::testing
