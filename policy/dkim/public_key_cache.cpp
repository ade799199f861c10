#include "dkim/public_key_cache.h"

namespace authmilter::dkim {

namespace {

std::string cache_key(KeyType type, std::span<const unsigned char> key_data) {
  std::string key(1, type == KeyType::ed25519 ? 'e' : 'r');
  key.append(reinterpret_cast<const char*>(key_data.data()), key_data.size());
  return key;
}

}  // namespace

PublicKeyCache::PublicKeyCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

std::shared_ptr<const PublicKey> PublicKeyCache::get(KeyType type,
                                                     std::span<const unsigned char> key_data) {
  std::string key = cache_key(type, key_data);
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (const auto found = index_.find(key); found != index_.end()) {
      recent_.splice(recent_.begin(), recent_, found->second);
      ++stats_.hits;
      return found->second->second;
    }
    ++stats_.misses;
  }
  std::shared_ptr<const PublicKey> decoded = decode_public_key(type, key_data);
  const std::lock_guard<std::mutex> lock(mutex_);
  if (const auto raced = index_.find(key); raced != index_.end()) return raced->second->second;
  recent_.emplace_front(key, decoded);
  index_.emplace(std::move(key), recent_.begin());
  while (recent_.size() > capacity_) {
    index_.erase(recent_.back().first);
    recent_.pop_back();
  }
  stats_.entries = recent_.size();
  return decoded;
}

PublicKeyCache::Stats PublicKeyCache::stats() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

}  // namespace authmilter::dkim
