// privileges.h - look up the run-time user and give up root for good.
//
// resolve_user() runs before binding (so config errors show early); drop_privileges() runs after
// the socket is bound and every root-only file is open. It sets supplementary groups, gid and uid,
// then checks that root cannot be regained; any failure is an error and the daemon stops.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.h"

namespace authmilter::daemon {

struct RunAs {
  std::string user;
  uid_t uid = 0;
  gid_t gid = 0;
};

// user empty = keep the current identity (uid/gid are then the current ones). A named user
// with uid 0 is refused: configuring a user promises that root is given up.
Result<RunAs> resolve_user(const std::string& user, const std::string& group);
Status drop_privileges(const RunAs& run_as);

}  // namespace authmilter::daemon
