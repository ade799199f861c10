// milter_socket.h - bind the milter socket as root, then make it fit for the MTA.
//
// Call after smfi_register()/smfi_setconn() and before dropping privileges. For unix sockets it
// sets the configured mode and hands the socket to the run-time user and the configured group.
// For TCP sockets it sets TCP_NODELAY on the listening socket (accepted sockets inherit it on
// Linux): without it, Nagle plus delayed ACK between the MTA and libmilter's small replies adds
// about 90 ms to every message.
#pragma once

#include <sys/types.h>

#include "common/result.h"
#include "conf/socket_spec.h"

namespace authmilter::daemon {

struct SocketOwnership {
  unsigned mode = 0660;
  uid_t uid = 0;
  gid_t gid = 0;
};

Status open_milter_socket(const conf::SocketSpec& spec, const SocketOwnership& ownership);

}  // namespace authmilter::daemon
