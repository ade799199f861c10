// histogram.h - a fixed-bucket duration histogram for the Prometheus exposition.
//
// observe() finds the bucket by a short linear scan over kDurationBounds and does two relaxed
// atomic adds (the bucket, the sum in nanoseconds): no lock, no allocation, thread-safe.
// Buckets are stored per interval, not cumulative; snapshot() makes them cumulative as the
// exposition format wants (le="x" counts every observation <= x) and derives the count from the
// buckets, so `_count` always equals the `+Inf` bucket even while other threads observe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace authmilter::metrics {

// Upper bounds in seconds: from a cached DNS answer (well under a millisecond) to the DNS budget
// of a message (20 s by default) and beyond.
inline constexpr std::array<double, 15> kDurationBounds = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

struct HistogramSnapshot {
  std::array<std::uint64_t, kDurationBounds.size()> cumulative{};  // le=kDurationBounds[i]
  std::uint64_t count = 0;                                         // le="+Inf"
  double sum_seconds = 0;
};

class DurationHistogram {
 public:
  void observe(std::chrono::nanoseconds duration) noexcept;
  HistogramSnapshot snapshot() const noexcept;

 private:
  // One more than the bounds: the last interval is (30 s, +Inf).
  std::array<std::atomic<std::uint64_t>, kDurationBounds.size() + 1> intervals_{};
  std::atomic<std::uint64_t> sum_nanoseconds_{0};
};

// Measures from construction to destruction into a histogram (a scope's duration).
class ScopedTimer {
 public:
  explicit ScopedTimer(DurationHistogram& histogram) noexcept
      : histogram_(histogram), started_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer() { histogram_.observe(std::chrono::steady_clock::now() - started_); }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  DurationHistogram& histogram_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace authmilter::metrics
