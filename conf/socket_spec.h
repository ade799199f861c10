// socket_spec.h - the milter socket named in the config, in libmilter's forms.
//
//   unix:/path/to.sock   (also local:/path, or a bare absolute path)
//   inet:PORT@HOST       IPv4 address or host name; inet:PORT listens on all IPv4 addresses
//   inet6:PORT@HOST      IPv6 address
// parse() returns the reason as its error on malformed text; to_libmilter() gives the string
// smfi_setconn() expects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace authmilter::conf {

struct SocketSpec {
  enum class Kind { unix_path, inet, inet6 };

  Kind kind = Kind::unix_path;
  std::string path;  // unix_path only
  std::uint16_t port = 0;
  std::string host;  // inet/inet6; empty = any address

  static Result<SocketSpec> parse(std::string_view text);
  std::string to_libmilter() const;
  bool is_tcp() const { return kind != Kind::unix_path; }
};

}  // namespace authmilter::conf
