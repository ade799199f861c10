// pidfile.h - write the daemon's pid, remove it on clean exit.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.h"

namespace authmilter::daemon {

// Writes "<pid>\n" to path (replacing a stale file) and hands it to uid/gid so the unprivileged
// daemon can remove it at exit.
Status write_pidfile(const std::string& path, uid_t uid, gid_t gid);
void remove_pidfile(const std::string& path);

}  // namespace authmilter::daemon
