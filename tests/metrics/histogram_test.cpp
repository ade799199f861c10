// DurationHistogram: bucket choice at the bounds, cumulative snapshot, count == +Inf bucket,
// and no lost observations under concurrent use.
#include "metrics/histogram.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace authmilter::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

TEST(DurationHistogram, EmptySnapshotIsZero) {
  const DurationHistogram histogram;
  const HistogramSnapshot snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.count, 0u);
  EXPECT_EQ(snapshot.sum_seconds, 0);
  for (auto bucket : snapshot.cumulative) EXPECT_EQ(bucket, 0u);
}

TEST(DurationHistogram, BoundIsInclusiveAndJustAboveGoesToTheNext) {
  DurationHistogram histogram;
  histogram.observe(microseconds(500));  // exactly 0.0005 s: le="0.0005"
  histogram.observe(microseconds(501));  // le="0.001"
  const HistogramSnapshot snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.cumulative[0], 1u);
  EXPECT_EQ(snapshot.cumulative[1], 2u);
  EXPECT_EQ(snapshot.count, 2u);
}

TEST(DurationHistogram, NegativeDurationCountsAsZero) {
  DurationHistogram histogram;
  histogram.observe(nanoseconds(-5));
  const HistogramSnapshot snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.cumulative[0], 1u);
  EXPECT_EQ(snapshot.sum_seconds, 0);
}

TEST(DurationHistogram, BucketsNeverDecreaseAndCountIsTheLastBucket) {
  DurationHistogram histogram;
  for (int ms = 0; ms < 40000; ms += 97) histogram.observe(std::chrono::milliseconds(ms));
  const HistogramSnapshot snapshot = histogram.snapshot();
  for (std::size_t i = 1; i < snapshot.cumulative.size(); ++i)
    EXPECT_GE(snapshot.cumulative[i], snapshot.cumulative[i - 1]);
  EXPECT_GE(snapshot.count, snapshot.cumulative.back());
  EXPECT_EQ(snapshot.count, 413u);  // ceil(40000 / 97)
}

TEST(DurationHistogram, ConcurrentObservationsAreAllCounted) {
  DurationHistogram histogram;
  constexpr int kThreads = 4, kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) histogram.observe(microseconds(2000));
    });
  for (auto& thread : threads) thread.join();
  const HistogramSnapshot snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.count, static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_DOUBLE_EQ(snapshot.sum_seconds, kThreads * kEach * 0.002);
}

}  // namespace
}  // namespace authmilter::metrics
