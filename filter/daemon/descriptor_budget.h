// descriptor_budget.h - open-file room for limits.max_connections.
//
// Each milter connection holds a descriptor; so do libunbound's sockets for queries in flight
// (at most dns::kUpstreamSockets), the record store, the log and the metrics listener. Under
// systemd's default soft limit (1024) a burst of 1000 connections once left libunbound unable
// to open a socket: every lookup became SERVFAIL and all mail temperror. So at start and on
// reload the daemon raises its soft RLIMIT_NOFILE (up to the hard limit, which needs no
// privilege) to max_connections + kDescriptorReserve; when the hard limit is lower, the
// connection limit in force is cut to what fits (ConnectionSlot::acquire), with a warning.
#pragma once

#include <sys/resource.h>

#include <cstddef>
#include <string>

namespace authmilter::daemon {

// Descriptors kept free for everything but milter connections: libunbound's query sockets
// (dns::kUpstreamSockets) plus room for the store, log, metrics and libraries' own.
std::size_t descriptor_reserve();

struct DescriptorPlan {
  rlim_t soft_limit;           // what to set RLIMIT_NOFILE's soft limit to
  std::size_t connection_cap;  // the most milter connections that fit under it
  std::string warning;         // empty when max_connections fits
};

// Pure: the plan for `max_connections` under the current soft and hard limits.
DescriptorPlan plan_descriptors(std::size_t max_connections, rlim_t soft, rlim_t hard);

// Applies plan_descriptors() to this process (setrlimit, ConnectionSlot's cap) and logs its
// warning, if any. Called at start and after each reload.
void fit_connections_to_descriptors(std::size_t max_connections);

}  // namespace authmilter::daemon
