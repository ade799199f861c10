// counter.h - lock-free counter and gauge cells for the metrics registry.
//
// Counter: a monotonic event count; add() is one relaxed atomic add, safe from any thread, with
// no lock and no allocation, so the mail path can call it per event. Gauge: a value set from
// time to time (a timestamp, a 0/1 flag, a current count); set() is one relaxed store.
// Relaxed ordering is enough: a scrape needs each value, not an order between values.
#pragma once

#include <atomic>
#include <cstdint>

namespace authmilter::metrics {

class Counter {
 public:
  void add(std::uint64_t amount = 1) noexcept {
    value_.fetch_add(amount, std::memory_order_relaxed);
  }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

}  // namespace authmilter::metrics
