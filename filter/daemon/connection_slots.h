// connection_slots.h - the bound on concurrent milter connections (limits.max_connections).
//
// libmilter runs one thread per MTA connection and has no limit of its own. A Session takes a
// ConnectionSlot when it is created (negotiate, or connect for an MTA that skips negotiation);
// the slot is given back when the Session is destroyed at close, so a refused connection (which
// holds no slot) never decrements the count. acquire() is thread-safe and never over-admits.
#pragma once

#include <cstddef>
#include <optional>

namespace authmilter::daemon {

class ConnectionSlot {
 public:
  // A slot, or nullopt when `max` connections, or the descriptor cap if lower, already hold one.
  static std::optional<ConnectionSlot> acquire(std::size_t max);
  ~ConnectionSlot();
  ConnectionSlot(ConnectionSlot&& other) noexcept;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  ConnectionSlot() = default;
  bool held_ = true;
};

// Connections currently holding a slot (for log lines).
std::size_t open_connections();

// The most connections the open-file limit leaves room for (descriptor_budget.h); no cap until
// it is set.
std::size_t descriptor_connection_cap();
void set_descriptor_connection_cap(std::size_t cap);

}  // namespace authmilter::daemon
