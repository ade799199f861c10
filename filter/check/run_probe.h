// run_probe.h - authmilter-check --smtp: does mail that reaches the MTA reach authmilter?
//
// Sends one probe (smtp_probe.h) carrying a token made with the daemon's probe key
// (daemon/probe_token.h). The daemon refuses a verified probe with the Authentication-Results
// header it would have added; any other ending means the MTA did not consult authmilter, and
// the likely causes are named (probe_diagnosis.h) from what we can see here: the daemon's
// socket, postconf's settings, the socket's permissions for Postfix's user.
// Exit status: 0 authmilter answered; 1 it did not (mail is passing unchecked, or refused by the
// MTA's milter_default_action); EX_UNAVAILABLE the MTA could not be reached; EX_CONFIG /
// EX_NOPERM when the configuration or the probe key cannot be read.
#pragma once

#include "check/check_options.h"

namespace authmilter::check {

int run_probe(const CheckOptions& options);

}  // namespace authmilter::check
