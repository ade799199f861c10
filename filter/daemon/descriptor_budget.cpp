#include "daemon/descriptor_budget.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "daemon/connection_slots.h"
#include "daemon/log.h"
#include "dns/resolver_options.h"

namespace authmilter::daemon {

namespace {

// The store (SQLite database, journal; or one PostgreSQL connection), the log, the metrics
// listener and its client, the pidfile, libunbound's and libmilter's pipes and event fds: the
// chaos run's daemon peaked at 52 descriptors in all at 180 msgs/s.
constexpr std::size_t kOtherDescriptors = 64;

}  // namespace

std::size_t descriptor_reserve() {
  return dns::kUpstreamSockets + kOtherDescriptors;
}

DescriptorPlan plan_descriptors(std::size_t max_connections, rlim_t soft, rlim_t hard) {
  const rlim_t wanted = static_cast<rlim_t>(max_connections + descriptor_reserve());
  DescriptorPlan plan{.soft_limit = soft, .connection_cap = max_connections, .warning = ""};
  if (soft >= wanted) return plan;
  plan.soft_limit = hard == RLIM_INFINITY ? wanted : std::min(wanted, hard);
  if (plan.soft_limit >= wanted) return plan;
  const std::size_t room = static_cast<std::size_t>(plan.soft_limit);
  plan.connection_cap = room > descriptor_reserve() ? room - descriptor_reserve() : 1;
  plan.warning = "limits.max_connections=" + std::to_string(max_connections) + " needs " +
                 std::to_string(wanted) + " open files but the hard limit is " +
                 std::to_string(hard) + ": at most " + std::to_string(plan.connection_cap) +
                 " connections are served (raise LimitNOFILE= or lower max_connections)";
  return plan;
}

void fit_connections_to_descriptors(std::size_t max_connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    log_line(LogLevel::warning, std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
    return;
  }
  const DescriptorPlan plan = plan_descriptors(max_connections, limit.rlim_cur, limit.rlim_max);
  if (plan.soft_limit != limit.rlim_cur) {
    rlimit raised = limit;
    raised.rlim_cur = plan.soft_limit;
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
      log_line(LogLevel::warning, std::string("setrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
      set_descriptor_connection_cap(
          plan_descriptors(max_connections, limit.rlim_cur, limit.rlim_cur).connection_cap);
      return;
    }
  }
  set_descriptor_connection_cap(plan.connection_cap);
  if (!plan.warning.empty()) log_line(LogLevel::warning, plan.warning);
}

}  // namespace authmilter::daemon
