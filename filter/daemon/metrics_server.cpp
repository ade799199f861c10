#include "daemon/metrics_server.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "connection_slots.h"
#include "daemon/log.h"
#include "metrics/render.h"

namespace authmilter::daemon {

namespace {

using MhdResponse = CHandle<MHD_Response, MHD_destroy_response>;

MHD_Result send_text(MHD_Connection* connection, unsigned status, const std::string& body,
                     const char* content_type) {
  MhdResponse response(MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()),
                                                       MHD_RESPMEM_MUST_COPY));
  if (!response) return MHD_NO;
  MHD_add_response_header(response.get(), MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  return MHD_queue_response(connection, status, response.get());
}

// libmicrohttpd's request callback: C code calls it, so nothing may escape.
MHD_Result answer_request(void*, MHD_Connection* connection, const char* url, const char* method,
                          const char*, const char*, size_t*, void**) noexcept {
  try {
    if (std::string_view(method) != MHD_HTTP_METHOD_GET || std::string_view(url) != "/metrics")
      return send_text(connection, MHD_HTTP_NOT_FOUND, "not found: only GET /metrics\n",
                       "text/plain");
    const std::string text =
        metrics::render_exposition(metrics::registry(), {AUTHMILTER_VERSION, open_connections()});
    return send_text(connection, MHD_HTTP_OK, text, metrics::kExpositionContentType);
  } catch (...) {
    return MHD_NO;  // libmicrohttpd closes the connection
  }
}

void log_from_microhttpd(void*, const char* format, va_list arguments) noexcept {
  char line[512];
  std::vsnprintf(line, sizeof line, format, arguments);
  std::string text = std::string("metrics server: ") + line;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  log_line(LogLevel::warning, text);
}

sockaddr_storage socket_address(const conf::MetricsSettings& settings) {
  sockaddr_storage storage{};
  const auto& bytes = settings.address->bytes();
  if (settings.address->is_v4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(settings.port);
    std::memcpy(&v4->sin_addr, bytes.data(), 4);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(settings.port);
    std::memcpy(&v6->sin6_addr, bytes.data(), 16);
  }
  return storage;
}

}  // namespace

Result<MetricsServer> start_metrics_server(const conf::MetricsSettings& settings) {
  if (!settings.enabled()) return MetricsServer();
  sockaddr_storage address = socket_address(settings);
  unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
  if (!settings.address->is_v4()) flags |= MHD_USE_IPv6;
  errno = 0;
  // The logger first, so that libmicrohttpd's own complaints about later options reach syslog.
  MetricsServer server(MHD_start_daemon(
      flags, settings.port, nullptr, nullptr, &answer_request, nullptr, MHD_OPTION_EXTERNAL_LOGGER,
      static_cast<MHD_LogCallback>(&log_from_microhttpd), nullptr, MHD_OPTION_SOCK_ADDR,
      reinterpret_cast<sockaddr*>(&address), MHD_OPTION_CONNECTION_LIMIT, kMaxScrapeConnections,
      MHD_OPTION_CONNECTION_TIMEOUT, kScrapeTimeoutSeconds, MHD_OPTION_END));
  if (!server) {
    const std::string why = errno != 0 ? std::strerror(errno) : "libmicrohttpd failed to start";
    return Error{"metrics.listen " + settings.listen + ": cannot serve /metrics: " + why};
  }
  return server;
}

}  // namespace authmilter::daemon
