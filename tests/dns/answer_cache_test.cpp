// Tests for AnswerCache: lifetimes per outcome, TTL expiry on an injected clock, the size
// bounds, and concurrent use.
#include "dns/answer_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace authmilter::dns {
namespace {

using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr int kTxt = 16;
constexpr int kPtr = 12;
constexpr int kA = 1;

TxtAnswer txt_answer(std::vector<std::string> records) {
  TxtAnswer answer;
  answer.outcome = Outcome::ok;
  answer.records = std::move(records);
  return answer;
}

TxtAnswer failed(Outcome outcome) {
  TxtAnswer answer;
  answer.outcome = outcome;
  return answer;
}

// A clock the test moves by hand.
struct ManualClock {
  steady_clock::time_point now = steady_clock::time_point{} + seconds(1000);
  AnswerCache::Clock function() {
    return [this] { return now; };
  }
};

TEST(CacheLifetimeTest, FollowsTheOutcomeAndTheTtl) {
  EXPECT_EQ(cache_lifetime(Outcome::ok, 300), 300u);
  EXPECT_EQ(cache_lifetime(Outcome::ok, 0), std::nullopt);
  EXPECT_EQ(cache_lifetime(Outcome::ok, 10 * kMaxPositiveTtl), kMaxPositiveTtl);
  EXPECT_EQ(cache_lifetime(Outcome::nxdomain, 60), 60u);
  EXPECT_EQ(cache_lifetime(Outcome::nodata, 100000), kMaxNegativeTtl);
  EXPECT_EQ(cache_lifetime(Outcome::nxdomain, 0), kFallbackNegativeTtl);
  EXPECT_EQ(cache_lifetime(Outcome::servfail, 300), std::nullopt);
  EXPECT_EQ(cache_lifetime(Outcome::timeout, 300), std::nullopt);
}

TEST(AnswerCacheTest, HitIsCaseInsensitiveAndKeyedByType) {
  ManualClock clock;
  AnswerCache cache({}, clock.function());
  cache.store(kTxt, "Example.COM", txt_answer({"v=spf1 -all"}), 60);
  const auto hit = cache.find<TxtAnswer>(kTxt, "example.com.");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->records, std::vector<std::string>{"v=spf1 -all"});
  EXPECT_FALSE(cache.find<TxtAnswer>(kPtr, "example.com").has_value());  // same C++ type
  EXPECT_FALSE(cache.find<AddressAnswer>(kA, "example.com").has_value());
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 2u);
}

TEST(AnswerCacheTest, EntriesExpireWithTheirTtl) {
  ManualClock clock;
  AnswerCache cache({}, clock.function());
  cache.store(kTxt, "short.example", txt_answer({"one"}), 1);
  cache.store(kTxt, "missing.example", failed(Outcome::nxdomain), 120);
  EXPECT_TRUE(cache.find<TxtAnswer>(kTxt, "short.example").has_value());
  clock.now += seconds(1);
  EXPECT_FALSE(cache.find<TxtAnswer>(kTxt, "short.example").has_value());
  const auto negative = cache.find<TxtAnswer>(kTxt, "missing.example");
  ASSERT_TRUE(negative.has_value());
  EXPECT_EQ(negative->outcome, Outcome::nxdomain);
  clock.now += seconds(120);
  EXPECT_FALSE(cache.find<TxtAnswer>(kTxt, "missing.example").has_value());
  // A fresh answer replaces the expired one.
  cache.store(kTxt, "short.example", txt_answer({"two"}), 30);
  EXPECT_EQ(cache.find<TxtAnswer>(kTxt, "short.example")->records, std::vector<std::string>{"two"});
}

TEST(AnswerCacheTest, TemporaryFailuresAreNeverCached) {
  AnswerCache cache;
  cache.store(kTxt, "broken.example", failed(Outcome::servfail), 300);
  cache.store(kTxt, "slow.example", failed(Outcome::timeout), 300);
  EXPECT_FALSE(cache.find<TxtAnswer>(kTxt, "broken.example").has_value());
  EXPECT_FALSE(cache.find<TxtAnswer>(kTxt, "slow.example").has_value());
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(AnswerCacheTest, EntryBoundDropsTheOldestFirst) {
  AnswerCache cache({AnswerCache::kShards * 2, 1u << 30});
  const std::size_t stored = AnswerCache::kShards * 20;
  for (std::size_t i = 0; i < stored; ++i) {
    cache.store(kTxt, "n" + std::to_string(i) + ".example", txt_answer({"x"}), 600);
  }
  EXPECT_LE(cache.stats().entries, AnswerCache::kShards * 2);
  EXPECT_GT(cache.stats().entries, 0u);
  // The newest entry is always kept; the very first one is long gone.
  EXPECT_TRUE(
      cache.find<TxtAnswer>(kTxt, "n" + std::to_string(stored - 1) + ".example").has_value());
  EXPECT_FALSE(cache.find<TxtAnswer>(kTxt, "n0.example").has_value());
}

TEST(AnswerCacheTest, ByteBoundIsRespected) {
  const std::size_t max_bytes = 64 * 1024;
  AnswerCache cache({1000000, max_bytes});
  for (int i = 0; i < 2000; ++i) {
    cache.store(kTxt, "big" + std::to_string(i) + ".example", txt_answer({std::string(300, 'k')}),
                600);
  }
  EXPECT_LE(cache.stats().bytes, max_bytes);
  EXPECT_GT(cache.stats().entries, 0u);
  // An answer larger than a shard's share is not cached at all.
  cache.store(kTxt, "huge.example", txt_answer({std::string(max_bytes, 'h')}), 600);
  EXPECT_FALSE(cache.find<TxtAnswer>(kTxt, "huge.example").has_value());
}

TEST(AnswerCacheTest, ConcurrentReadersAndWritersAgree) {
  AnswerCache cache({512, 1u << 20});
  std::atomic<int> wrong{0};
  std::atomic<int> hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 4000; ++i) {
        const std::string name = "h" + std::to_string((i * 7 + t) % 200) + ".example";
        if (i % 3 == 0) cache.store(kTxt, name, txt_answer({name}), 600);
        if (const auto hit = cache.find<TxtAnswer>(kTxt, name)) {
          ++hits;
          if (hit->records != std::vector<std::string>{name}) ++wrong;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(hits.load(), 0);
  EXPECT_LE(cache.stats().entries, 512u);
}

}  // namespace
}  // namespace authmilter::dns
