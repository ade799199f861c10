// answer_cache.h - an application-level cache of converted answers in front of libunbound.
//
// libunbound caches too, but asking it costs a query submission, a hand-off to its worker
// thread and back, and re-parsing the RDATA: measured at ~17% of the milter's CPU per message.
// AnswerCache keeps the already converted Answer per (RR type, lower-cased query name) for the
// answer's TTL, so a warm lookup is one hash probe under a shared lock.
//
// What is kept and for how long (cache_lifetime()):
//   ok                -> the answer's TTL (ub_result::ttl), at most kMaxPositiveTtl; TTL 0 is
//                        not cached (RFC 1035 §3.2.1: 0 means "use once").
//   nxdomain, nodata  -> the negative TTL libunbound derives from the SOA (RFC 2308 §5), at most
//                        kMaxNegativeTtl; when libunbound gives none, kFallbackNegativeTtl.
//   servfail, timeout -> never: a temporary failure must be retried by the next message.
// Bounds: at most `max_entries` entries and about `max_bytes` bytes in all, split evenly over
// kShards shards; a full shard drops its oldest entries first (insertion order).
//
// Thread-safety: every method may be called from any thread. Each shard has its own
// shared_mutex, so hits on different names, and concurrent hits on one name, do not serialize.
// The clock is injectable so that tests can move time without sleeping.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "dns/resolver.h"

namespace authmilter::dns {

// Upper bounds on how long an answer is reused. A day is libunbound's own cache-max-ttl
// default; negative answers are kept shorter than RFC 2308 §5's suggested 1-3 hours so that a
// newly published record (SPF, DKIM key, DMARC) is seen within minutes.
inline constexpr std::uint32_t kMaxPositiveTtl = 86400;
inline constexpr std::uint32_t kMaxNegativeTtl = 900;
// NXDOMAIN/NODATA without a TTL from libunbound (no SOA in the authority section).
inline constexpr std::uint32_t kFallbackNegativeTtl = 5;

struct AnswerCacheLimits {
  std::size_t max_entries = 50000;
  std::size_t max_bytes = 32u << 20;  // 32 MiB
};

struct AnswerCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::size_t entries = 0;
  std::size_t bytes = 0;
};

// Seconds to keep an answer with `outcome` whose DNS TTL is `ttl`, or nullopt: do not keep it.
std::optional<std::uint32_t> cache_lifetime(Outcome outcome, std::uint32_t ttl);

class AnswerCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // TxtAnswer and NameAnswer are the same type; the RR type in the key keeps them apart.
  using Stored = std::variant<TxtAnswer, AddressAnswer, MxAnswer>;

  static constexpr std::size_t kShards = 16;

  explicit AnswerCache(AnswerCacheLimits limits = {}, Clock clock = {});

  template <class AnswerType>
  std::optional<AnswerType> find(int rrtype, std::string_view name) {
    std::optional<Stored> stored = find_stored(make_key(rrtype, name));
    if (!stored || !std::holds_alternative<AnswerType>(*stored)) return std::nullopt;
    return std::get<AnswerType>(std::move(*stored));
  }

  // Keeps `answer` for cache_lifetime(answer.outcome, ttl); does nothing when that is nullopt.
  template <class AnswerType>
  void store(int rrtype, std::string_view name, const AnswerType& answer, std::uint32_t ttl) {
    const std::optional<std::uint32_t> lifetime = cache_lifetime(answer.outcome, ttl);
    if (!lifetime) return;
    store_stored(make_key(rrtype, name), Stored(answer), *lifetime);
  }

  AnswerCacheStats stats() const;

 private:
  struct Entry {
    Stored answer;
    std::chrono::steady_clock::time_point expires;
    std::size_t bytes = 0;
    std::list<std::string>::iterator age;  // position in Shard::oldest_first
  };
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, Entry> entries;
    std::list<std::string> oldest_first;
    std::size_t bytes = 0;
  };

  static std::string make_key(int rrtype, std::string_view name);
  std::optional<Stored> find_stored(const std::string& key);
  void store_stored(std::string key, Stored answer, std::uint32_t lifetime);
  Shard& shard_for(const std::string& key);
  void evict_oldest(Shard& shard);

  AnswerCacheLimits limits_;
  Clock clock_;
  std::array<Shard, kShards> shards_;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace authmilter::dns
