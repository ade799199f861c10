// run_history.h - authmilter-check --history: the store's records under a candidate policy.
//
// Loads the running config (--running, for its store.url) and the candidate (--config), opens
// the store read-only (report/history_reader.h), replays every record of the window
// (replay/history_summary.h) and prints history_output.h's report to stdout. No DNS, no write.
// Exit: 0 done; EX_CONFIG a config that does not load; EX_NOINPUT a store that cannot be opened
// or read (the message names it on stderr).
#pragma once

#include "check/check_options.h"

namespace authmilter::check {

int run_history(const CheckOptions& options);

}  // namespace authmilter::check
