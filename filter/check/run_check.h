// run_check.h - authmilter-check's work: the daemon's pipeline on one stored message.
//
// run_check() loads the configuration, builds the same Runtime as the daemon (the same
// resolver settings, DKIM library, local policy), drives one MessageEvaluation through the
// milter stages in the daemon's order (sender check, recipients, headers, end of headers, body
// in chunks, end of message) and prints the report to stdout. Returns a sysexits code: 0 when
// the message was evaluated (whatever the verdict), EX_CONFIG / EX_NOINPUT / EX_UNAVAILABLE
// with a message on stderr otherwise.
#pragma once

#include "check/check_options.h"

namespace authmilter::check {

int run_check(const CheckOptions& options);

}  // namespace authmilter::check
