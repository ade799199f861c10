// public_key_cache.h - decoded DKIM public keys, shared by every message of the process.
//
// OpenSSL 3 decodes a SubjectPublicKeyInfo through its provider decoder chain, under locks; done
// for every signature of every message it was most of the milter's CPU. The key record is still
// fetched (and checked, key_record_check.h) for every signature through dns::Resolver, whose
// cache and TTLs decide freshness; this cache only skips re-decoding bytes already decoded. So it
// is keyed by what is decoded, the key type and the p= bytes: a record that changes its key
// misses, one that only changes t= or whitespace hits.
//
// get() answers from the cache or decodes (outside the lock; two threads may both decode a new
// key, and the first to insert wins) and remembers the result, undecodable keys included, so
// hostile records cost one decode too. At most `capacity` entries; the least recently used is
// dropped first. Thread-safe. A returned key stays valid while held, even once evicted.
// DkimLibrary owns one cache for the process (capacity DkimOptions::key_cache_entries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>

#include "dkim/key_record_check.h"
#include "dkim/public_key.h"

namespace authmilter::dkim {

class PublicKeyCache {
 public:
  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
  };

  explicit PublicKeyCache(std::size_t capacity);

  std::shared_ptr<const PublicKey> get(KeyType type, std::span<const unsigned char> key_data);
  Stats stats() const;

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const PublicKey>>;

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> recent_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  Stats stats_;
};

}  // namespace authmilter::dkim
