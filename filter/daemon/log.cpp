#include "daemon/log.h"

#include <syslog.h>

#include <string>

namespace authmilter::daemon {

namespace {

int facility_code(std::string_view name) {
  if (name == "daemon") return LOG_DAEMON;
  if (name.size() == 6 && name.substr(0, 5) == "local" && name[5] >= '0' && name[5] <= '7') {
    static constexpr int kLocal[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                     LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
    return kLocal[name[5] - '0'];
  }
  return LOG_MAIL;
}

int priority_of(LogLevel level) {
  switch (level) {
    case LogLevel::error:
      return LOG_ERR;
    case LogLevel::warning:
      return LOG_WARNING;
    case LogLevel::notice:
      return LOG_NOTICE;
    case LogLevel::info:
      return LOG_INFO;
    case LogLevel::debug:
      return LOG_DEBUG;
  }
  return LOG_INFO;
}

}  // namespace

void open_log(std::string_view facility, bool also_stderr) {
  closelog();
  openlog("authmilter", LOG_PID | LOG_NDELAY | (also_stderr ? LOG_PERROR : 0),
          facility_code(facility));
}

void log_line(LogLevel level, std::string_view text) {
  const std::string line(text);
  syslog(priority_of(level), "%s", line.c_str());
}

}  // namespace authmilter::daemon
