#include "metrics/histogram.h"

namespace authmilter::metrics {

void DurationHistogram::observe(std::chrono::nanoseconds duration) noexcept {
  const std::int64_t nanoseconds = duration.count() < 0 ? 0 : duration.count();
  const double seconds = static_cast<double>(nanoseconds) / 1e9;
  std::size_t interval = 0;
  while (interval < kDurationBounds.size() && seconds > kDurationBounds[interval]) ++interval;
  intervals_[interval].fetch_add(1, std::memory_order_relaxed);
  sum_nanoseconds_.fetch_add(static_cast<std::uint64_t>(nanoseconds), std::memory_order_relaxed);
}

HistogramSnapshot DurationHistogram::snapshot() const noexcept {
  HistogramSnapshot snapshot;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < kDurationBounds.size(); ++i) {
    running += intervals_[i].load(std::memory_order_relaxed);
    snapshot.cumulative[i] = running;
  }
  snapshot.count = running + intervals_.back().load(std::memory_order_relaxed);
  snapshot.sum_seconds =
      static_cast<double>(sum_nanoseconds_.load(std::memory_order_relaxed)) / 1e9;
  return snapshot;
}

}  // namespace authmilter::metrics
