#include "daemon/milter_socket.h"

#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "daemon/socket_directory.h"

namespace authmilter::daemon {

namespace {

std::uint16_t port_of(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  if (address.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  return 0;
}

// libmilter keeps its listening descriptor private: find it among ours by what it is.
int set_nodelay_on_listener(std::uint16_t port) {
  rlimit limit{};
  const int max_fd =
      getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536 ? limit.rlim_cur : 65536;
  int changed = 0;
  for (int fd = 0; fd < max_fd; ++fd) {
    int listening = 0;
    socklen_t length = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 || !listening) continue;
    sockaddr_storage address{};
    socklen_t address_length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_length) != 0) continue;
    if (port_of(address) != port) continue;
    const int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0) ++changed;
  }
  return changed;
}

}  // namespace

Status open_milter_socket(const conf::SocketSpec& spec, const SocketOwnership& ownership) {
  if (spec.kind == conf::SocketSpec::Kind::unix_path) {
    if (auto directory = ensure_socket_directory(spec.path, ownership.uid, ownership.gid);
        !directory.ok())
      return directory;
    const mode_t old_mask = umask(0177);  // never world-accessible while still root-owned
    const int opened = smfi_opensocket(true);
    umask(old_mask);
    if (opened != MI_SUCCESS) return Error{"cannot open milter socket " + spec.to_libmilter()};
    if (chmod(spec.path.c_str(), ownership.mode) != 0)
      return Error{"chmod " + spec.path + ": " + std::strerror(errno)};
    if (geteuid() == 0 && chown(spec.path.c_str(), ownership.uid, ownership.gid) != 0)
      return Error{"chown " + spec.path + ": " + std::strerror(errno)};
    return Ok{};
  }
  if (smfi_opensocket(true) != MI_SUCCESS)
    return Error{"cannot open milter socket " + spec.to_libmilter()};
  if (set_nodelay_on_listener(spec.port) == 0)
    return Error{"could not set TCP_NODELAY on the milter socket"};
  return Ok{};
}

}  // namespace authmilter::daemon
