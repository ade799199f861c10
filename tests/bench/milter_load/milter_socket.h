// milter_socket.h - opens a connection to a milter given in libmilter/Postfix socket syntax.
//
// Purpose: "unix:/path", "local:/path", "inet:PORT@HOST" (libmilter) or "inet:HOST:PORT"
// (Postfix) -> a connected, non-blocking stream socket. The connect itself is blocking: on
// loopback it completes in the kernel without waiting for the milter's accept(), and keeping
// it blocking keeps the event loop free of half-open states.
// Ownership: the caller owns the returned descriptor and closes it.
// Return convention: Result<int>; the Error names the socket and errno text.
#pragma once

#include <string>

#include "common/result.h"

namespace authmilter::bench {

Result<int> connect_milter(const std::string& spec);

}  // namespace authmilter::bench
