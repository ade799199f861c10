#include "daemon/pidfile.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace authmilter::daemon {

Status write_pidfile(const std::string& path, uid_t uid, gid_t gid) {
  if (path.empty()) return Ok{};
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Error{"pidfile " + path + ": " + std::strerror(errno)};
  const std::string text = std::to_string(getpid()) + "\n";
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (geteuid() == 0 && fchown(fd, uid, gid) != 0) {
    // Not fatal: only removal at exit needs it.
  }
  close(fd);
  if (!written) return Error{"pidfile " + path + ": short write"};
  return Ok{};
}

void remove_pidfile(const std::string& path) {
  if (!path.empty()) unlink(path.c_str());
}

}  // namespace authmilter::daemon
