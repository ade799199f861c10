// milter_socket.cpp - milter socket specs to connected descriptors (see milter_socket.h).
#include "milter_socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/c_handle.h"

namespace authmilter::bench {
namespace {

using AddrInfo = CHandle<addrinfo, freeaddrinfo>;

Result<int> finish(int fd, const std::string& spec) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    ::close(fd);
    return Error{spec + ": fcntl: " + std::strerror(errno)};
  }
  return fd;
}

Result<int> connect_unix(const std::string& path, const std::string& spec) {
  sockaddr_un address{};
  if (path.size() >= sizeof address.sun_path) return Error{spec + ": path too long"};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{spec + ": socket: " + std::strerror(errno)};
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int saved = errno;
    ::close(fd);
    return Error{spec + ": connect: " + std::strerror(saved)};
  }
  return finish(fd, spec);
}

Result<int> connect_inet(const std::string& host, const std::string& port,
                         const std::string& spec) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &raw) != 0 || raw == nullptr) {
    return Error{spec + ": cannot resolve " + host};
  }
  const AddrInfo found(raw);
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{spec + ": socket: " + std::strerror(errno)};
  if (connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    const int saved = errno;
    ::close(fd);
    return Error{spec + ": connect: " + std::strerror(saved)};
  }
  // Small request/reply packets: do not let Nagle delay them (Postfix does the same).
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return finish(fd, spec);
}

}  // namespace

Result<int> connect_milter(const std::string& spec) {
  for (const char* prefix : {"unix:", "local:"}) {
    if (spec.rfind(prefix, 0) == 0) return connect_unix(spec.substr(std::strlen(prefix)), spec);
  }
  if (spec.rfind("inet:", 0) != 0) return Error{spec + ": expected unix:PATH or inet:PORT@HOST"};
  const std::string rest = spec.substr(5);
  const std::size_t at = rest.find('@');
  if (at != std::string::npos) return connect_inet(rest.substr(at + 1), rest.substr(0, at), spec);
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return Error{spec + ": no port"};
  return connect_inet(rest.substr(0, colon), rest.substr(colon + 1), spec);
}

}  // namespace authmilter::bench
