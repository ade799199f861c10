// log.h - the daemon's log: syslog (facility from the config) and, in the foreground, stderr too.
//
// open_log() once at start-up, before any thread starts; log_line() is thread-safe (syslog is).
#pragma once

#include <string_view>

namespace authmilter::daemon {

enum class LogLevel { error, warning, notice, info, debug };

void open_log(std::string_view facility, bool also_stderr);
void log_line(LogLevel level, std::string_view text);

}  // namespace authmilter::daemon
