#include "daemon/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace authmilter::daemon {

Result<RunAs> resolve_user(const std::string& user, const std::string& group) {
  RunAs run_as{user, getuid(), getgid()};
  if (!user.empty()) {
    const passwd* entry = getpwnam(user.c_str());
    if (entry == nullptr) return Error{"user '" + user + "' does not exist"};
    // A configured user exists to give up root; one with uid 0 would keep it silently.
    if (entry->pw_uid == 0)
      return Error{"user '" + user + "' has uid 0: name an unprivileged user (e.g. authmilter)"};
    run_as.uid = entry->pw_uid;
    run_as.gid = entry->pw_gid;
  }
  if (!group.empty()) {
    const struct group* entry = getgrnam(group.c_str());
    if (entry == nullptr) return Error{"group '" + group + "' does not exist"};
    run_as.gid = entry->gr_gid;
  }
  return run_as;
}

Status drop_privileges(const RunAs& run_as) {
  if (run_as.user.empty() || geteuid() != 0) return Ok{};
  if (initgroups(run_as.user.c_str(), run_as.gid) != 0)
    return Error{std::string("initgroups: ") + std::strerror(errno)};
  if (setgid(run_as.gid) != 0) return Error{std::string("setgid: ") + std::strerror(errno)};
  if (setuid(run_as.uid) != 0) return Error{std::string("setuid: ") + std::strerror(errno)};
  // Paranoia as in Postfix: make sure root cannot be regained.
  if (run_as.uid != 0 && (setuid(0) == 0 || geteuid() == 0))
    return Error{"still able to regain root after setuid"};
  return Ok{};
}

}  // namespace authmilter::daemon
