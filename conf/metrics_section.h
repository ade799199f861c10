// metrics_section.h - the `metrics:` section of authmilter.yaml: where /metrics is served.
//
//   metrics:
//     listen: "127.0.0.1:9712"   # IPv4 ADDRESS:PORT or [IPv6]:PORT; "" (default) = off
//
// Only an address literal is accepted (no host name: the daemon binds exactly what is given,
// before it drops root) and a port in 1..65535. Errors throw ConfigError
// "file:line:col: metrics.listen: message". A start-only setting: a reload reports a change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "conf/yaml_section.h"
#include "net/ip_address.h"

namespace authmilter::conf {

struct MetricsSettings {
  std::string listen;                     // as written; empty = no metrics endpoint
  std::optional<net::IpAddress> address;  // set when listen is
  std::uint16_t port = 0;

  bool enabled() const { return address.has_value(); }
};

// Parses "ADDRESS:PORT" / "[ADDRESS]:PORT"; on bad text, the reason as the error.
Result<MetricsSettings> parse_metrics_listen(std::string_view text);

MetricsSettings read_metrics_section(YamlSection section);

}  // namespace authmilter::conf
