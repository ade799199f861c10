// metrics_server.h - GET /metrics over HTTP, served by libmicrohttpd on its own thread.
//
// start_metrics_server() binds the configured address (metrics.listen) and starts one
// internal polling thread (poll/epoll, not select: milter connections may push descriptor
// numbers past FD_SETSIZE). Call it as root, before the privilege drop (to bind any port) and
// after the milter signals are blocked (the thread inherits the mask). Every request is
// answered on that thread from the lock-free registry (metrics/registry.h), so a slow or stuck
// scraper never holds a mail thread; connections are bounded (kMaxScrapeConnections) and idle
// ones closed (kScrapeTimeoutSeconds). Only GET /metrics is served; anything else is 404.
// Returns a null handle when metrics are off; destroying the handle stops the server.
#pragma once

#include <microhttpd.h>

#include "common/c_handle.h"
#include "common/result.h"
#include "conf/metrics_section.h"

namespace authmilter::daemon {

// A few scrapers (Prometheus, an agent, an operator's curl) at once; more is a misbehaving client.
inline constexpr unsigned kMaxScrapeConnections = 8;
// A scrape renders in well under a millisecond; a connection idle this long is closed.
inline constexpr unsigned kScrapeTimeoutSeconds = 10;

using MetricsServer = CHandle<MHD_Daemon, MHD_stop_daemon>;

Result<MetricsServer> start_metrics_server(const conf::MetricsSettings& settings);

}  // namespace authmilter::daemon
