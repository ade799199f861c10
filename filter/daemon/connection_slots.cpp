#include "daemon/connection_slots.h"

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace authmilter::daemon {

namespace {

std::atomic<std::size_t>& open_count() {
  static std::atomic<std::size_t> count{0};
  return count;
}

std::atomic<std::size_t>& descriptor_cap() {
  static std::atomic<std::size_t> cap{SIZE_MAX};
  return cap;
}

}  // namespace

std::optional<ConnectionSlot> ConnectionSlot::acquire(std::size_t max) {
  auto& count = open_count();
  max = std::min(max, descriptor_cap().load());
  std::size_t seen = count.load();
  // Compare-and-swap, so that two threads racing for the last slot cannot both take it.
  do {
    if (seen >= max) return std::nullopt;
  } while (!count.compare_exchange_weak(seen, seen + 1));
  return ConnectionSlot();
}

ConnectionSlot::~ConnectionSlot() {
  if (held_) open_count().fetch_sub(1);
}

ConnectionSlot::ConnectionSlot(ConnectionSlot&& other) noexcept : held_(other.held_) {
  other.held_ = false;
}

std::size_t open_connections() {
  return open_count().load();
}

std::size_t descriptor_connection_cap() {
  return descriptor_cap().load();
}

void set_descriptor_connection_cap(std::size_t cap) {
  descriptor_cap().store(cap);
}

}  // namespace authmilter::daemon
