#include "daemon/milter_callbacks.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>

#include "daemon/libmilter_context.h"
#include "daemon/milter_negotiation.h"
#include "daemon/milter_stages.h"

namespace authmilter::daemon {

namespace {

std::optional<net::IpAddress> address_of(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return net::IpAddress::from_v4_bytes(reinterpret_cast<const std::uint8_t*>(&v4->sin_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return net::IpAddress::from_v6_bytes(v6->sin6_addr.s6_addr);
  }
  return std::nullopt;
}

// The first of the ESMTP arguments libmilter hands over (the address), or null.
const char* first_argument(char** arguments) {
  return arguments != nullptr ? arguments[0] : nullptr;
}

sfsistat on_negotiate(SMFICTX* context, unsigned long offered_actions, unsigned long offered_steps,
                      unsigned long, unsigned long, unsigned long* actions, unsigned long* steps,
                      unsigned long*, unsigned long*) {
  LibmilterContext milter(context);
  return negotiate_stage(milter, offered_actions, offered_steps, actions, steps);
}

sfsistat on_connect(SMFICTX* context, char* host_name, _SOCK_ADDR* address) {
  LibmilterContext milter(context);
  return connect_stage(milter, host_name, address_of(address));
}

sfsistat on_helo(SMFICTX* context, char* helo) {
  LibmilterContext milter(context);
  return helo_stage(milter, helo);
}

sfsistat on_envfrom(SMFICTX* context, char** arguments) {
  LibmilterContext milter(context);
  return envfrom_stage(milter, first_argument(arguments));
}

sfsistat on_envrcpt(SMFICTX* context, char** arguments) {
  LibmilterContext milter(context);
  return envrcpt_stage(milter, first_argument(arguments));
}

sfsistat on_header(SMFICTX* context, char* name, char* value) {
  LibmilterContext milter(context);
  return header_stage(milter, name, value);
}

sfsistat on_eoh(SMFICTX* context) {
  LibmilterContext milter(context);
  return end_of_headers_stage(milter);
}

sfsistat on_body(SMFICTX* context, unsigned char* bytes, size_t length) {
  LibmilterContext milter(context);
  return body_stage(milter, bytes, length);
}

sfsistat on_eom(SMFICTX* context) {
  LibmilterContext milter(context);
  return end_of_message_stage(milter);
}

sfsistat on_abort(SMFICTX* context) {
  LibmilterContext milter(context);
  return abort_stage(milter);
}

sfsistat on_close(SMFICTX* context) {
  LibmilterContext milter(context);
  return close_stage(milter);
}

}  // namespace

smfiDesc milter_description() {
  smfiDesc description{};
  description.xxfi_name = const_cast<char*>("authmilter");
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_flags = kMilterActions;
  description.xxfi_connect = on_connect;
  description.xxfi_helo = on_helo;
  description.xxfi_envfrom = on_envfrom;
  description.xxfi_envrcpt = on_envrcpt;
  description.xxfi_header = on_header;
  description.xxfi_eoh = on_eoh;
  description.xxfi_body = on_body;
  description.xxfi_eom = on_eom;
  description.xxfi_abort = on_abort;
  description.xxfi_close = on_close;
  description.xxfi_negotiate = on_negotiate;
  return description;
}

}  // namespace authmilter::daemon
