// PublicKeyCache: hits, misses on changed key bytes, the LRU bound, failures cached, keys that
// outlive eviction, concurrent use; and that DkimVerifier decodes a key once across messages.
#include "dkim/public_key_cache.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <atomic>
#include <thread>
#include <vector>

#include "dkim_test_support.h"

namespace authmilter::dkim::testing {
namespace {

// Raw Ed25519 public keys: cheap to make, each one a distinct cache entry.
std::vector<unsigned char> fresh_ed25519_key() {
  CHandle<EVP_PKEY, EVP_PKEY_free> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  std::vector<unsigned char> raw(32);
  std::size_t length = raw.size();
  EXPECT_EQ(EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &length), 1);
  return raw;
}

TEST(PublicKeyCache, SameKeyBytesHit) {
  PublicKeyCache cache(4);
  const auto bytes = fresh_ed25519_key();
  const auto first = cache.get(KeyType::ed25519, bytes);
  const auto second = cache.get(KeyType::ed25519, bytes);
  ASSERT_TRUE(first->usable());
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(first->bits, 256u);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 1u);
}

TEST(PublicKeyCache, ChangedKeyBytesOrTypeMiss) {
  PublicKeyCache cache(4);
  auto bytes = fresh_ed25519_key();
  const auto first = cache.get(KeyType::ed25519, bytes);
  bytes[0] ^= 1;
  const auto changed = cache.get(KeyType::ed25519, bytes);
  const auto as_rsa = cache.get(KeyType::rsa, bytes);
  EXPECT_NE(first.get(), changed.get());
  EXPECT_FALSE(as_rsa->usable());  // 32 raw bytes are no SubjectPublicKeyInfo
  EXPECT_EQ(cache.stats().misses, 3u);
  EXPECT_EQ(cache.stats().hits, 0u);
}

TEST(PublicKeyCache, UndecodableKeysAreCachedToo) {
  PublicKeyCache cache(4);
  const std::vector<unsigned char> garbage = {0x30, 0x03, 0x02, 0x01, 0x00};
  EXPECT_FALSE(cache.get(KeyType::rsa, garbage)->usable());
  EXPECT_EQ(ERR_peek_error(), 0u);  // the decoder's complaints are not left for others to find
  EXPECT_FALSE(cache.get(KeyType::rsa, garbage)->usable());
  EXPECT_EQ(cache.stats().hits, 1u);
}

TEST(PublicKeyCache, LeastRecentlyUsedIsEvictedAtTheBound) {
  PublicKeyCache cache(2);
  const auto a = fresh_ed25519_key(), b = fresh_ed25519_key(), c = fresh_ed25519_key();
  const auto held_b = cache.get(KeyType::ed25519, b);
  cache.get(KeyType::ed25519, a);
  cache.get(KeyType::ed25519, b);  // b is now the most recent, a the least
  cache.get(KeyType::ed25519, c);  // evicts a
  EXPECT_EQ(cache.stats().entries, 2u);
  const auto misses = cache.stats().misses;
  EXPECT_EQ(cache.get(KeyType::ed25519, b).get(), held_b.get());  // still cached
  EXPECT_EQ(cache.stats().misses, misses);
  cache.get(KeyType::ed25519, a);  // was evicted: decoded again, evicting c
  EXPECT_EQ(cache.stats().misses, misses + 1);
  EXPECT_EQ(cache.stats().entries, 2u);
}

TEST(PublicKeyCache, HeldKeyOutlivesEviction) {
  PublicKeyCache cache(1);
  const auto held = cache.get(KeyType::ed25519, fresh_ed25519_key());
  for (int i = 0; i < 3; ++i) cache.get(KeyType::ed25519, fresh_ed25519_key());
  ASSERT_TRUE(held->usable());
  unsigned char raw[32];
  std::size_t length = sizeof raw;
  EXPECT_EQ(EVP_PKEY_get_raw_public_key(held->key.get(), raw, &length), 1);  // ASan: no UAF
}

TEST(PublicKeyCache, ConcurrentUseStaysConsistentAndBounded) {
  constexpr int kThreads = 8, kRounds = 300, kKeys = 6;
  constexpr std::size_t kCapacity = 4;
  PublicKeyCache cache(kCapacity);
  std::vector<std::vector<unsigned char>> keys;
  for (int i = 0; i < kKeys; ++i) keys.push_back(fresh_ed25519_key());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        const auto& bytes = keys[static_cast<std::size_t>((t + round) % kKeys)];
        const auto key = cache.get(KeyType::ed25519, bytes);
        unsigned char raw[32];
        std::size_t length = sizeof raw;
        if (!key->usable() || EVP_PKEY_get_raw_public_key(key->key.get(), raw, &length) != 1 ||
            std::vector<unsigned char>(raw, raw + length) != bytes) {
          ++wrong;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, static_cast<std::uint64_t>(kThreads * kRounds));
  EXPECT_LE(stats.entries, kCapacity);
}

TEST(PublicKeyCache, VerifierDecodesAKeyOnceAcrossMessages) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  dns::ZoneResolver zone;
  load_tab_records(zone, data_path("rfc6376/dns-records.txt"));
  const std::string raw = read_file(data_path("rfc6376/rfc6376-a2-signed.eml"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(codes_of(verify_message(*library, zone, raw, 64)), "pass");
  EXPECT_EQ(library->key_cache().stats().misses, 1u);
  EXPECT_EQ(library->key_cache().stats().hits, 2u);
  EXPECT_EQ(zone.lookup_count(), 3);  // the record itself is fetched every time (TTL freshness)
}

TEST(PublicKeyCache, VerifiersOnManyThreadsShareOneLibrary) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  dns::ZoneResolver zone;  // filled before sharing; lookups are thread-safe
  load_tab_records(zone, data_path("rfc8463/dns-records.txt"));
  const std::string raw = read_file(data_path("rfc8463/rfc8463-a3-signed.eml"));
  constexpr int kThreads = 4, kMessages = 25;
  std::atomic<int> not_passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kMessages; ++i) {
        if (codes_of(verify_message(*library, zone, raw, 64)) != "pass,pass") ++not_passed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(not_passed.load(), 0);
  const auto stats = library->key_cache().stats();
  EXPECT_EQ(stats.entries, 2u);  // one Ed25519 and one RSA key, however many threads
  EXPECT_EQ(stats.hits + stats.misses, 2u * kThreads * kMessages);
}

}  // namespace
}  // namespace authmilter::dkim::testing
