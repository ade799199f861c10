// socket_directory.h - create the directory a unix milter socket lives in, if it is missing.
//
// The default socket is inside Postfix's queue directory (/var/spool/postfix/authmilter/), which
// no package creates: without this, the first start fails or, worse, an operator puts the socket
// where a chrooted smtpd cannot see it. Only the last path component is created (its parent must
// exist: a missing /var/spool/postfix means Postfix is not installed, which we say), owned by the
// run-time user and the socket group, mode 0750: the MTA may traverse it, nobody else may.
// An existing directory is left as it is.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.h"

namespace authmilter::daemon {

Status ensure_socket_directory(const std::string& socket_path, uid_t uid, gid_t gid);

}  // namespace authmilter::daemon
