#include "conf/limits_section.h"

namespace authmilter::conf {

namespace {

// authmilter-check reads at most this many header fields of a file (check/message_file.h): a
// larger bound would make the checker and the daemon disagree.
constexpr long kMaxHeaderFieldsBound = 10000;
constexpr long kMaxHeaderBytesBound = 64L * 1024 * 1024;
constexpr long kMaxRecipientsBound = 100000;
constexpr long kMaxConnectionsBound = 100000;
constexpr long kMaxForgedAuthresBound = 10000;

std::size_t read_size(YamlSection& section, const std::string& key, std::size_t fallback,
                      long max) {
  return static_cast<std::size_t>(section.get_integer(key, static_cast<long>(fallback), 1, max));
}

}  // namespace

void read_limits_section(YamlSection section, Config& config) {
  config.daemon.max_connections =
      read_size(section, "max_connections", config.daemon.max_connections, kMaxConnectionsBound);
  auto& limits = config.evaluation.limits;
  limits.max_recipients =
      read_size(section, "max_recipients", limits.max_recipients, kMaxRecipientsBound);
  limits.max_header_fields =
      read_size(section, "max_header_fields", limits.max_header_fields, kMaxHeaderFieldsBound);
  limits.max_header_bytes =
      read_size(section, "max_header_bytes", limits.max_header_bytes, kMaxHeaderBytesBound);
  limits.max_forged_authres_headers =
      read_size(section, "max_forged_authres_headers", limits.max_forged_authres_headers,
                kMaxForgedAuthresBound);
  section.check_unknown_keys();
  // DKIM hashes the same header section: it gives up where the message is refused anyway.
  config.dkim.max_header_fields = limits.max_header_fields;
  config.dkim.max_header_bytes = limits.max_header_bytes;
}

}  // namespace authmilter::conf
