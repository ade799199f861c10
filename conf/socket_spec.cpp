#include "conf/socket_spec.h"

#include <charconv>

#include "net/ip_address.h"

namespace authmilter::conf {

namespace {

constexpr std::size_t kMaxUnixPath = 107;  // sizeof(sockaddr_un::sun_path) - 1 on Linux

Result<SocketSpec> parse_unix(std::string_view path) {
  if (path.empty() || path.front() != '/') return Error{"unix socket path must be absolute"};
  if (path.size() > kMaxUnixPath)
    return Error{"unix socket path longer than " + std::to_string(kMaxUnixPath) + " bytes"};
  SocketSpec spec;
  spec.kind = SocketSpec::Kind::unix_path;
  spec.path = path;
  return spec;
}

Result<SocketSpec> parse_inet(SocketSpec::Kind kind, std::string_view rest) {
  const auto at = rest.find('@');
  const std::string_view port_text = rest.substr(0, at);
  unsigned port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535)
    return Error{"port must be a number from 1 to 65535"};
  SocketSpec spec;
  spec.kind = kind;
  spec.port = static_cast<std::uint16_t>(port);
  if (at != std::string_view::npos) {
    spec.host = rest.substr(at + 1);
    if (spec.host.empty()) return Error{"empty host after '@'"};
    if (kind == SocketSpec::Kind::inet6) {
      auto address = net::IpAddress::parse(spec.host);
      if (!address || address->is_v4())
        return Error{"inet6 needs an IPv6 address, got '" + spec.host + "'"};
    } else if (spec.host.find_first_of(" \t/") != std::string::npos) {
      return Error{"invalid host '" + spec.host + "'"};
    }
  }
  return spec;
}

}  // namespace

Result<SocketSpec> SocketSpec::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return parse_unix(text);
  const std::string_view scheme = text.substr(0, colon);
  const std::string_view rest = text.substr(colon + 1);
  if (scheme == "unix" || scheme == "local") return parse_unix(rest);
  if (scheme == "inet") return parse_inet(Kind::inet, rest);
  if (scheme == "inet6") return parse_inet(Kind::inet6, rest);
  return Error{"unknown socket type '" + std::string(scheme) +
               "' (expected unix:, local:, inet: or inet6:)"};
}

std::string SocketSpec::to_libmilter() const {
  switch (kind) {
    case Kind::unix_path:
      return "unix:" + path;
    case Kind::inet:
      return "inet:" + std::to_string(port) + (host.empty() ? "" : "@" + host);
    case Kind::inet6:
      return "inet6:" + std::to_string(port) + (host.empty() ? "" : "@" + host);
  }
  return {};
}

}  // namespace authmilter::conf
