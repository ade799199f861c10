#include "daemon/socket_directory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace authmilter::daemon {

Status ensure_socket_directory(const std::string& socket_path, uid_t uid, gid_t gid) {
  const std::size_t slash = socket_path.rfind('/');
  if (slash == std::string::npos || slash == 0) return Ok{};
  const std::string directory = socket_path.substr(0, slash);
  struct stat info {};
  if (stat(directory.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode))
      return Error{"socket directory " + directory + " is not a directory"};
    return Ok{};
  }
  if (errno != ENOENT) return Error{"socket directory " + directory + ": " + std::strerror(errno)};
  if (mkdir(directory.c_str(), 0750) != 0) {
    const std::string why = std::strerror(errno);
    const std::string parent = directory.substr(0, directory.rfind('/'));
    std::string hint;
    if (errno == ENOENT)
      hint =
          " (" + parent + " does not exist" +
          (parent == "/var/spool/postfix" ? ": is Postfix installed? Otherwise set socket:)" : ")");
    return Error{"cannot create socket directory " + directory + ": " + why + hint};
  }
  // mkdir applies the umask; the MTA's group must be able to traverse.
  if (chmod(directory.c_str(), 0750) != 0 ||
      (geteuid() == 0 && chown(directory.c_str(), uid, gid) != 0))
    return Error{"socket directory " + directory + ": " + std::strerror(errno)};
  return Ok{};
}

}  // namespace authmilter::daemon
