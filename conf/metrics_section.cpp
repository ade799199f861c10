#include "conf/metrics_section.h"

#include <charconv>

namespace authmilter::conf {

Result<MetricsSettings> parse_metrics_listen(std::string_view text) {
  MetricsSettings settings;
  settings.listen = std::string(text);
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return Error{"expected ADDRESS:PORT, e.g. 127.0.0.1:9712 or [::1]:9712"};
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  settings.address = net::IpAddress::parse(host);
  // An IPv6 address needs brackets, else its last group would read as the port.
  if (!settings.address || settings.address->is_v4() == bracketed) {
    return Error{"'" + std::string(host) +
                 "' is not an IPv4 address or a bracketed IPv6 address (no host names)"};
  }
  unsigned long port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port < 1 || port > 65535) {
    return Error{"port '" + std::string(port_text) + "' is not a number between 1 and 65535"};
  }
  settings.port = static_cast<std::uint16_t>(port);
  return settings;
}

MetricsSettings read_metrics_section(YamlSection section) {
  const std::string listen = section.get_string("listen", "");
  section.check_unknown_keys();
  if (listen.empty()) return {};
  auto settings = parse_metrics_listen(listen);
  if (!settings) section.fail("listen", settings.error());
  return *settings;
}

}  // namespace authmilter::conf
