#include "daemon/background.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace authmilter::daemon {

Status run_in_background() {
  const pid_t child = fork();
  if (child < 0) return Error{std::string("fork: ") + std::strerror(errno)};
  if (child > 0) _exit(EXIT_SUCCESS);
  if (setsid() < 0) return Error{std::string("setsid: ") + std::strerror(errno)};
  if (chdir("/") != 0) return Error{std::string("chdir /: ") + std::strerror(errno)};
  const int null_fd = open("/dev/null", O_RDWR);
  if (null_fd < 0) return Error{std::string("/dev/null: ") + std::strerror(errno)};
  dup2(null_fd, STDIN_FILENO);
  dup2(null_fd, STDOUT_FILENO);
  dup2(null_fd, STDERR_FILENO);
  if (null_fd > STDERR_FILENO) close(null_fd);
  return Ok{};
}

}  // namespace authmilter::daemon
