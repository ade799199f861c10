#include "dns/answer_cache.h"

#include <algorithm>
#include <mutex>

namespace authmilter::dns {

namespace {

// Per-entry bookkeeping beyond the strings: map node, list node, Entry, allocator slack.
constexpr std::size_t kEntryOverhead = 160;

std::size_t record_bytes(const std::string& text) {
  return sizeof(std::string) + text.capacity();
}
std::size_t record_bytes(const net::IpAddress& address) {
  return sizeof(address);
}
std::size_t record_bytes(const MxRecord& mx) {
  return sizeof(mx) + mx.exchange.capacity();
}

std::size_t answer_bytes(const AnswerCache::Stored& stored) {
  return std::visit(
      [](const auto& answer) {
        std::size_t bytes = sizeof(answer);
        for (const auto& record : answer.records) bytes += record_bytes(record);
        return bytes;
      },
      stored);
}

}  // namespace

std::optional<std::uint32_t> cache_lifetime(Outcome outcome, std::uint32_t ttl) {
  switch (outcome) {
    case Outcome::ok:
      if (ttl == 0) return std::nullopt;
      return std::min(ttl, kMaxPositiveTtl);
    case Outcome::nxdomain:
    case Outcome::nodata:
      if (ttl == 0) return kFallbackNegativeTtl;
      return std::min(ttl, kMaxNegativeTtl);
    case Outcome::servfail:
    case Outcome::timeout:
      return std::nullopt;
  }
  return std::nullopt;
}

AnswerCache::AnswerCache(AnswerCacheLimits limits, Clock clock)
    : limits_(limits), clock_(clock ? std::move(clock) : Clock(&std::chrono::steady_clock::now)) {}

std::string AnswerCache::make_key(int rrtype, std::string_view name) {
  std::string key = std::to_string(rrtype);
  key += '/';
  key.reserve(key.size() + name.size());
  // DNS names compare case-insensitively in ASCII only (RFC 4343 §3).
  for (char c : name) key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (!key.empty() && key.back() == '.') key.pop_back();
  return key;
}

AnswerCache::Shard& AnswerCache::shard_for(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::optional<AnswerCache::Stored> AnswerCache::find_stored(const std::string& key) {
  Shard& shard = shard_for(key);
  {
    std::shared_lock lock(shard.mutex);
    const auto found = shard.entries.find(key);
    if (found != shard.entries.end() && clock_() < found->second.expires) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return found->second.answer;
    }
  }
  // Expired entries stay until replaced or evicted: a miss takes no exclusive lock.
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

void AnswerCache::evict_oldest(Shard& shard) {
  const auto found = shard.entries.find(shard.oldest_first.front());
  shard.bytes -= found->second.bytes;
  shard.entries.erase(found);
  shard.oldest_first.pop_front();
}

void AnswerCache::store_stored(std::string key, Stored answer, std::uint32_t lifetime) {
  const std::size_t max_entries = std::max<std::size_t>(1, limits_.max_entries / kShards);
  const std::size_t max_bytes = limits_.max_bytes / kShards;
  const std::size_t bytes = kEntryOverhead + 2 * key.capacity() + answer_bytes(answer);
  if (bytes > max_bytes) return;  // one answer larger than a shard's share: never cached
  const auto expires = clock_() + std::chrono::seconds(lifetime);
  Shard& shard = shard_for(key);
  std::unique_lock lock(shard.mutex);
  if (const auto old = shard.entries.find(key); old != shard.entries.end()) {
    shard.bytes -= old->second.bytes;
    shard.oldest_first.erase(old->second.age);
    shard.entries.erase(old);
  }
  while (!shard.oldest_first.empty() &&
         (shard.entries.size() >= max_entries || shard.bytes + bytes > max_bytes)) {
    evict_oldest(shard);
  }
  shard.oldest_first.push_back(key);
  const auto age = std::prev(shard.oldest_first.end());
  shard.entries.emplace(std::move(key), Entry{std::move(answer), expires, bytes, age});
  shard.bytes += bytes;
}

AnswerCacheStats AnswerCache::stats() const {
  AnswerCacheStats stats;
  stats.hits = hits_.load(std::memory_order_relaxed);
  stats.misses = misses_.load(std::memory_order_relaxed);
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    stats.entries += shard.entries.size();
    stats.bytes += shard.bytes;
  }
  return stats;
}

}  // namespace authmilter::dns
