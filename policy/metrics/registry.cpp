#include "metrics/registry.h"

#include <chrono>

namespace authmilter::metrics {

namespace {

double unix_seconds_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

Registry::Registry() {
  const double now = unix_seconds_now();
  process_start_time.set(now);
  config_last_reload_timestamp.set(now);
  config_last_reload_success.set(1);
}

Registry& registry() {
  static Registry process_registry;
  return process_registry;
}

}  // namespace authmilter::metrics
