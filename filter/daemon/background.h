// background.h - detach from the terminal (classic double-fork-free daemon start).
//
// Must run before any thread is started (fork() keeps only the calling thread).
#pragma once

#include "common/result.h"

namespace authmilter::daemon {

Status run_in_background();

}  // namespace authmilter::daemon
