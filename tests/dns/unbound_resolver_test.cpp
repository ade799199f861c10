// Tests for UnboundResolver against a real unbound daemon on loopback (test_unbound_support).
#include "dns/unbound_resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "outcome_printer.h"
#include "test_unbound_support.h"

namespace authmilter::dns {
namespace {

using std::chrono::milliseconds;
using testing::SilentUdpServer;
using testing::TestUnbound;

std::vector<std::string> zone_lines() {
  std::vector<std::string> lines = {
      R"(local-zone: "example.test." static)",
      R"(local-data: "example.test. 3600 IN SOA ns.example.test. host.example.test. 1 3600 600 86400 300")",
      R"(local-data: 'txt.example.test. TXT "v=spf1 " "ip4:192.0.2.0/24 " "-all"')",
      R"(local-data: 'multi.example.test. TXT "first"')",
      R"(local-data: 'multi.example.test. TXT "second " "part"')",
      R"(local-data: "a.example.test. A 192.0.2.1")",
      R"(local-data: "a.example.test. A 192.0.2.2")",
      R"(local-data: "a.example.test. AAAA 2001:db8::1")",
      R"(local-data: "mx.example.test. MX 10 Mail.Example.Test.")",
      R"(local-data: "mx.example.test. MX 20 backup.example.test.")",
      R"(local-data: "nullmx.example.test. MX 0 .")",
      R"(local-data: "other.example.test. TXT other")",
      R"(local-data: 'ttl1.example.test. 1 IN TXT "short-lived"')",
      R"(local-data: 'cached.example.test. 300 IN TXT "kept"')",
      R"(local-zone: "2.0.192.in-addr.arpa." static)",
      R"(local-data-ptr: "192.0.2.1 a.example.test")",
      R"(local-zone: "8.b.d.0.1.0.0.2.ip6.arpa." static)",
      R"(local-data-ptr: "2001:db8::1 v6.example.test")",
      R"(local-zone: "refused.test." refuse)",
  };
  std::string big = "local-data: 'big.example.test. TXT";
  for (int i = 0; i < 70; ++i)
    big += " \"" + std::string(250, static_cast<char>('a' + i % 26)) + "\"";
  lines.push_back(big + "'");
  for (int i = 1; i <= 70; ++i) {
    lines.push_back("local-data: \"many.example.test. A 192.0.2." + std::to_string(i) + "\"");
  }
  return lines;
}

class UnboundResolverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto dead_port = testing::free_port();
    if (!dead_port) {
      start_error_ = dead_port.error();
      return;
    }
    std::vector<std::string> lines = zone_lines();
    lines.push_back(R"(local-zone: "broken.test." transparent)");
    const std::string dead_forward =
        "forward-zone:\n  name: \"broken.test.\"\n  forward-addr: 127.0.0.1@" +
        std::to_string(*dead_port);
    auto started = TestUnbound::start(lines, {dead_forward});
    if (started) {
      server_ = std::move(*started);
    } else {
      start_error_ = started.error();
    }
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "cannot start the test unbound: " << start_error_;
  }

  static ResolverOptions options() {
    ResolverOptions options;
    options.forwarders = {server_->forwarder()};
    options.query_timeout = milliseconds(3000);
    options.unblock_local_zones = {"test.", "2.0.192.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa"};
    return options;
  }

  static std::unique_ptr<UnboundResolver> make_resolver(const ResolverOptions& o = options()) {
    auto resolver = UnboundResolver::create(o);
    EXPECT_TRUE(resolver.ok()) << (resolver.ok() ? "" : resolver.error());
    return resolver.ok() ? std::move(*resolver) : nullptr;
  }

  static long query_count() {
    auto count = server_->query_count();
    EXPECT_TRUE(count.ok()) << (count.ok() ? "" : count.error());
    return count.ok() ? *count : -1;
  }

  // The count once it stops moving: on a loaded machine libunbound may retransmit a query whose
  // answer was merely slow, and that retransmission must not be taken for a cache miss.
  static long settled_query_count() {
    long count = query_count();
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      const long next = query_count();
      if (next == count) break;
      count = next;
    }
    return count;
  }

  static inline std::unique_ptr<TestUnbound> server_;
  static inline std::string start_error_;
};

template <class T>
std::vector<T> sorted(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  return values;
}

std::vector<std::string> texts(const std::vector<net::IpAddress>& addresses) {
  std::vector<std::string> out;
  for (const auto& a : addresses) out.push_back(a.to_string());
  return sorted(out);
}

TEST_F(UnboundResolverTest, TxtStringsOfOneRecordAreJoined) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  const TxtAnswer answer = resolver->lookup_txt("txt.example.test");
  ASSERT_EQ(answer.outcome, Outcome::ok);
  EXPECT_EQ(answer.records, std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24 -all"});
  EXPECT_FALSE(answer.truncated);
  EXPECT_EQ(answer.dnssec, DnssecStatus::unvalidated);  // no trust anchor configured
  const TxtAnswer multi = resolver->lookup_txt("MULTI.Example.Test.");
  ASSERT_EQ(multi.outcome, Outcome::ok);
  EXPECT_EQ(sorted(multi.records), (std::vector<std::string>{"first", "second part"}));
}

TEST_F(UnboundResolverTest, AddressesOfEachFamily) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  const AddressAnswer v4 = resolver->lookup_addresses("a.example.test", net::IpFamily::v4);
  ASSERT_EQ(v4.outcome, Outcome::ok);
  EXPECT_EQ(texts(v4.records), (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  const AddressAnswer v6 = resolver->lookup_addresses("a.example.test", net::IpFamily::v6);
  ASSERT_EQ(v6.outcome, Outcome::ok);
  EXPECT_EQ(texts(v6.records), std::vector<std::string>{"2001:db8::1"});
  EXPECT_EQ(resolver->lookup_addresses("mx.example.test", net::IpFamily::v6).outcome,
            Outcome::nodata);
}

TEST_F(UnboundResolverTest, MxRecordsAreDecodedAndLowerCased) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  const MxAnswer answer = resolver->lookup_mx("mx.example.test");
  ASSERT_EQ(answer.outcome, Outcome::ok);
  std::vector<MxRecord> records = answer.records;
  std::sort(records.begin(), records.end(),
            [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
  EXPECT_EQ(records,
            (std::vector<MxRecord>{{10, "mail.example.test"}, {20, "backup.example.test"}}));
  const MxAnswer null_mx = resolver->lookup_mx("nullmx.example.test");
  ASSERT_EQ(null_mx.outcome, Outcome::ok);
  EXPECT_EQ(null_mx.records, (std::vector<MxRecord>{{0, ""}}));  // RFC 7505
}

TEST_F(UnboundResolverTest, PtrForBothFamilies) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  const NameAnswer v4 = resolver->lookup_ptr(*net::IpAddress::parse("192.0.2.1"));
  ASSERT_EQ(v4.outcome, Outcome::ok);
  EXPECT_EQ(v4.records, std::vector<std::string>{"a.example.test"});
  const NameAnswer v6 = resolver->lookup_ptr(*net::IpAddress::parse("2001:db8::1"));
  ASSERT_EQ(v6.outcome, Outcome::ok);
  EXPECT_EQ(v6.records, std::vector<std::string>{"v6.example.test"});
  EXPECT_EQ(resolver->lookup_ptr(*net::IpAddress::parse("192.0.2.99")).outcome, Outcome::nxdomain);
}

TEST_F(UnboundResolverTest, NxdomainAndNodataAreDistinct) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  const TxtAnswer missing = resolver->lookup_txt("nope.example.test");
  EXPECT_EQ(missing.outcome, Outcome::nxdomain);
  EXPECT_TRUE(missing.records.empty());
  EXPECT_FALSE(missing.temporary_failure());
  const TxtAnswer no_txt = resolver->lookup_txt("a.example.test");
  EXPECT_EQ(no_txt.outcome, Outcome::nodata);
  EXPECT_TRUE(no_txt.records.empty());
  EXPECT_EQ(resolver->lookup_mx("a.example.test").outcome, Outcome::nodata);
}

TEST_F(UnboundResolverTest, RefusedUpstreamIsServfail) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  const TxtAnswer answer = resolver->lookup_txt("x.refused.test");
  EXPECT_EQ(answer.outcome, Outcome::servfail);
  EXPECT_TRUE(answer.temporary_failure());
  EXPECT_TRUE(answer.records.empty());
}

TEST_F(UnboundResolverTest, ServfailFromUpstreamIsServfail) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  const auto started = std::chrono::steady_clock::now();
  const AddressAnswer answer = resolver->lookup_addresses("x.broken.test", net::IpFamily::v4);
  EXPECT_EQ(answer.outcome, Outcome::servfail);  // a real SERVFAIL, well before the timeout
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(2500));
  EXPECT_TRUE(answer.records.empty());
}

TEST_F(UnboundResolverTest, OversizedAnswersAreBounded) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  const TxtAnswer big = resolver->lookup_txt("big.example.test");  // 17500 octets over TCP
  ASSERT_EQ(big.outcome, Outcome::ok);
  ASSERT_EQ(big.records.size(), 1u);
  EXPECT_EQ(big.records[0].size(), kMaxTxtLength);
  EXPECT_EQ(big.records[0].substr(0, 251), std::string(250, 'a') + "b");
  EXPECT_TRUE(big.truncated);
  const AddressAnswer many = resolver->lookup_addresses("many.example.test", net::IpFamily::v4);
  ASSERT_EQ(many.outcome, Outcome::ok);
  EXPECT_EQ(many.records.size(), kMaxRecordsPerAnswer);
  EXPECT_TRUE(many.truncated);
}

TEST_F(UnboundResolverTest, AnswerBoundsAreConfigurable) {
  ResolverOptions tight = options();
  tight.answer_bounds = AnswerBounds{5, 1000};
  auto resolver = make_resolver(tight);
  ASSERT_NE(resolver, nullptr);
  const TxtAnswer big = resolver->lookup_txt("big.example.test");
  ASSERT_EQ(big.outcome, Outcome::ok);
  ASSERT_EQ(big.records.size(), 1u);
  EXPECT_EQ(big.records[0].size(), 1000u);
  EXPECT_TRUE(big.truncated);
  const AddressAnswer many = resolver->lookup_addresses("many.example.test", net::IpFamily::v4);
  ASSERT_EQ(many.outcome, Outcome::ok);
  EXPECT_EQ(many.records.size(), 5u);
  EXPECT_TRUE(many.truncated);
  const TxtAnswer small = resolver->lookup_txt("txt.example.test");
  EXPECT_FALSE(small.truncated);  // 26 octets, 1 record: within the bounds
}

TEST_F(UnboundResolverTest, DeadlineBeforeTheQueryTimeoutIsHonoured) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  // Already past: a timeout at once, no query sent.
  const long before = settled_query_count();
  const auto past = std::chrono::steady_clock::now() - milliseconds(1);
  EXPECT_EQ(resolver->lookup_txt_until("other.example.test", past).outcome, Outcome::timeout);
  EXPECT_EQ(resolver->lookup_mx_until("mx.example.test", past).outcome, Outcome::timeout);
  EXPECT_EQ(settled_query_count(), before);
  // A deadline in the future does not stop a prompt answer.
  const auto later = std::chrono::steady_clock::now() + milliseconds(2000);
  EXPECT_EQ(resolver->lookup_txt_until("other.example.test", later).outcome, Outcome::ok);
  // Once cached, an answer is given even after the deadline (it costs no waiting).
  EXPECT_EQ(resolver->lookup_txt_until("other.example.test", past).outcome, Outcome::ok);
}

TEST_F(UnboundResolverTest, ImpossibleNamesAnswerNxdomainWithoutAQuery) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  const long before = query_count();
  EXPECT_EQ(resolver->lookup_txt(std::string(64, 'a') + ".example.test").outcome,
            Outcome::nxdomain);
  EXPECT_EQ(resolver->lookup_txt("a..example.test").outcome, Outcome::nxdomain);
  EXPECT_EQ(resolver->lookup_txt("").outcome, Outcome::nxdomain);
  EXPECT_EQ(query_count(), before);
}

TEST_F(UnboundResolverTest, RepeatedLookupIsAnsweredFromTheCache) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  const long start = query_count();
  ASSERT_EQ(resolver->lookup_txt("txt.example.test").outcome, Outcome::ok);
  const long after_first = settled_query_count();
  EXPECT_GT(after_first, start);  // the first lookup did reach the server
  const TxtAnswer again = resolver->lookup_txt("TXT.example.test.");
  ASSERT_EQ(again.outcome, Outcome::ok);
  EXPECT_EQ(again.records, std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24 -all"});
  EXPECT_EQ(query_count(), after_first);  // no query for the cached answer
  ASSERT_EQ(resolver->lookup_txt("other.example.test").outcome, Outcome::ok);
  EXPECT_GT(query_count(), after_first);  // and the counter does move for a new name
}

// The answer cache in front of libunbound: a hit is served without a query and without a
// hand-off to libunbound (the cache's own counters), negative answers are cached too.
TEST_F(UnboundResolverTest, AnswerCacheServesHitsWithoutAQuery) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  ASSERT_EQ(resolver->lookup_txt("cached.example.test").outcome, Outcome::ok);
  ASSERT_EQ(resolver->lookup_txt("absent.example.test").outcome, Outcome::nxdomain);
  const long after_first = settled_query_count();
  const AnswerCacheStats before = resolver->cache_stats();
  EXPECT_EQ(before.entries, 2u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(resolver->lookup_txt("Cached.Example.Test").records,
              std::vector<std::string>{"kept"});
    EXPECT_EQ(resolver->lookup_txt("absent.example.test").outcome, Outcome::nxdomain);
  }
  EXPECT_EQ(resolver->cache_stats().hits, before.hits + 100);
  EXPECT_EQ(resolver->cache_stats().misses, before.misses);
  EXPECT_EQ(query_count(), after_first);
}

// A record with TTL 1 leaves the answer cache after its second: the next lookup is a miss that
// goes to libunbound (whose own cache, with one-second granularity, may still answer it), and
// the fresh answer is cached again.
TEST_F(UnboundResolverTest, AnswerCacheHonoursTheTtl) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  ASSERT_EQ(resolver->lookup_txt("ttl1.example.test").records,
            std::vector<std::string>{"short-lived"});
  const AnswerCacheStats first = resolver->cache_stats();
  ASSERT_EQ(resolver->lookup_txt("ttl1.example.test").outcome, Outcome::ok);
  EXPECT_EQ(resolver->cache_stats().hits, first.hits + 1);  // still fresh
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(resolver->lookup_txt("ttl1.example.test").records,
            std::vector<std::string>{"short-lived"});
  EXPECT_EQ(resolver->cache_stats().misses, first.misses + 1);  // expired: asked again
}

// SERVFAIL is never cached: every lookup goes to libunbound again.
TEST_F(UnboundResolverTest, AnswerCacheKeepsNoServfail) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  EXPECT_EQ(resolver->lookup_txt("x.refused.test").outcome, Outcome::servfail);
  EXPECT_EQ(resolver->lookup_txt("x.refused.test").outcome, Outcome::servfail);
  EXPECT_EQ(resolver->cache_stats().hits, 0u);
  EXPECT_EQ(resolver->cache_stats().entries, 0u);
}

TEST_F(UnboundResolverTest, BuiltInLocalZonesHideTestNamesUnlessUnblocked) {
  ResolverOptions blocked = options();
  blocked.unblock_local_zones.clear();
  auto resolver = make_resolver(blocked);
  ASSERT_NE(resolver, nullptr);
  const long before = query_count();
  EXPECT_EQ(resolver->lookup_txt("txt.example.test").outcome, Outcome::nxdomain);
  EXPECT_EQ(query_count(), before);  // answered by libunbound itself
}

TEST_F(UnboundResolverTest, ConcurrentLookupsFromManyThreads) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  constexpr int kThreads = 8;
  constexpr int kLookupsPerThread = 200;
  std::atomic<int> wrong{0};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLookupsPerThread; ++i) {
        bool right = false;
        switch ((t + i) % 4) {
          case 0: {
            const TxtAnswer a = resolver->lookup_txt("txt.example.test");
            right = a.ok() && a.records == std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24 -all"};
            break;
          }
          case 1: {
            const AddressAnswer a = resolver->lookup_addresses("a.example.test", net::IpFamily::v6);
            right = a.ok() && a.records.size() == 1 && a.records[0].to_string() == "2001:db8::1";
            break;
          }
          case 2: {
            const MxAnswer a = resolver->lookup_mx("nullmx.example.test");
            right = a.ok() && a.records == std::vector<MxRecord>{{0, ""}};
            break;
          }
          default:
            right = resolver->lookup_txt("nope.example.test").outcome == Outcome::nxdomain;
        }
        if (!right) ++wrong;
        ++done;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(done.load(), kThreads * kLookupsPerThread);
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(UnboundResolverTest, StartedLookupsOverlap) {
  auto resolver = make_resolver();
  ASSERT_NE(resolver, nullptr);
  auto txt = resolver->start_txt("txt.example.test");
  auto mx = resolver->start_mx("mx.example.test");
  auto ptr = resolver->start_ptr(*net::IpAddress::parse("192.0.2.1"));
  auto impossible = resolver->start_txt("a..b");
  EXPECT_EQ(ptr.get().records, std::vector<std::string>{"a.example.test"});
  EXPECT_EQ(mx.get().records.size(), 2u);
  const TxtAnswer t = txt.get();
  EXPECT_EQ(t.records, std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24 -all"});
  EXPECT_EQ(impossible.get().outcome, Outcome::nxdomain);
  EXPECT_EQ(txt.get().outcome, Outcome::servfail);  // a second get() never repeats a success
  {
    auto dropped = resolver->start_txt("other.example.test");  // cancelled unanswered
  }
  EXPECT_EQ(resolver->lookup_txt("multi.example.test").outcome, Outcome::ok);
}

// Deadlines so short that answers and cancellations race: every lookup must still end in a
// real answer or a timeout, with no crash or leak (run under ASan/TSan to see the ownership).
TEST_F(UnboundResolverTest, AnswersRacingTheDeadlineAreSafe) {
  ResolverOptions hurried = options();
  hurried.query_timeout = milliseconds(1);
  auto resolver = make_resolver(hurried);
  ASSERT_NE(resolver, nullptr);
  std::atomic<int> timeouts{0};
  std::atomic<int> answers{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const auto outcome =
            resolver
                ->lookup_txt("r" + std::to_string(t) + "-" + std::to_string(i) + ".example.test")
                .outcome;
        if (outcome == Outcome::timeout) {
          ++timeouts;
        } else if (outcome == Outcome::nxdomain) {
          ++answers;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(timeouts + answers, 400);
  EXPECT_EQ(other.load(), 0);
  // How the race fell depends on the machine; both counts are shown, neither is required.
  std::printf("deadline race: %d answered, %d timed out\n", answers.load(), timeouts.load());
}

TEST(UnboundResolverTimeoutTest, SilentServerTimesOutWithinTheConfiguredTime) {
  auto silent = SilentUdpServer::open();
  ASSERT_TRUE(silent.ok()) << silent.error();
  ResolverOptions options;
  options.forwarders = {(*silent)->forwarder()};
  options.query_timeout = milliseconds(300);
  options.unblock_local_zones = {"test."};
  auto resolver = UnboundResolver::create(options);
  ASSERT_TRUE(resolver.ok()) << resolver.error();
  for (int round = 0; round < 2; ++round) {
    const auto started = std::chrono::steady_clock::now();
    const TxtAnswer answer = (*resolver)->lookup_txt("slow" + std::to_string(round) + ".test");
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(answer.outcome, Outcome::timeout);
    EXPECT_TRUE(answer.temporary_failure());
    EXPECT_GE(elapsed, milliseconds(300));
    EXPECT_LT(elapsed, milliseconds(300 + 250));
  }
  EXPECT_GT((*silent)->received(), 0);  // the queries were really sent
  // A lookup left in flight is cancelled by dropping it; shutdown is prompt.
  auto abandoned = (*resolver)->start_txt("abandoned.test");
  const auto stopping = std::chrono::steady_clock::now();
  { auto gone = std::move(abandoned); }
  resolver->reset();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, milliseconds(2000));
}

TEST(UnboundResolverTimeoutTest, DeadlineCutsALookupInFlight) {
  auto silent = SilentUdpServer::open();
  ASSERT_TRUE(silent.ok()) << silent.error();
  ResolverOptions options;
  options.forwarders = {(*silent)->forwarder()};
  options.query_timeout = milliseconds(5000);
  options.unblock_local_zones = {"test."};
  auto resolver = UnboundResolver::create(options);
  ASSERT_TRUE(resolver.ok()) << resolver.error();
  const auto started = std::chrono::steady_clock::now();
  const AddressAnswer answer = (*resolver)->lookup_addresses_until("cut.test", net::IpFamily::v4,
                                                                   started + milliseconds(200));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(answer.outcome, Outcome::timeout);
  EXPECT_GE(elapsed, milliseconds(200));
  EXPECT_LT(elapsed, milliseconds(200 + 400));  // far below the 5 s query timeout
  EXPECT_GT((*silent)->received(), 0);
}

TEST(UnboundResolverOptionsTest, BadOptionsAreReportedAtStartUp) {
  ResolverOptions bad_forwarder;
  bad_forwarder.forwarders = {"not-an-address"};
  auto forwarder = UnboundResolver::create(bad_forwarder);
  ASSERT_FALSE(forwarder.ok());
  EXPECT_NE(forwarder.error().find("not-an-address"), std::string::npos) << forwarder.error();

  ResolverOptions missing_resolv_conf;
  missing_resolv_conf.resolv_conf = "/nonexistent/resolv.conf";
  auto resolv = UnboundResolver::create(missing_resolv_conf);
  ASSERT_FALSE(resolv.ok());
  EXPECT_NE(resolv.error().find("/nonexistent/resolv.conf"), std::string::npos);

  ResolverOptions missing_anchor;
  missing_anchor.forwarders = {"127.0.0.1"};
  missing_anchor.trust_anchor_file = "/nonexistent/root.key";
  EXPECT_FALSE(UnboundResolver::create(missing_anchor).ok());

  ResolverOptions zero_timeout;
  zero_timeout.forwarders = {"127.0.0.1"};
  zero_timeout.query_timeout = milliseconds(0);
  EXPECT_FALSE(UnboundResolver::create(zero_timeout).ok());

  ResolverOptions bad_zone;
  bad_zone.forwarders = {"127.0.0.1"};
  bad_zone.unblock_local_zones = {"a..b"};
  EXPECT_FALSE(UnboundResolver::create(bad_zone).ok());

  ResolverOptions no_records;
  no_records.forwarders = {"127.0.0.1"};
  no_records.answer_bounds.max_records = 0;
  auto records = UnboundResolver::create(no_records);
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.error().find("max_answer_records"), std::string::npos) << records.error();

  ResolverOptions tiny_txt;
  tiny_txt.forwarders = {"127.0.0.1"};
  tiny_txt.answer_bounds.max_txt_bytes = kMinTxtBytes - 1;
  auto txt = UnboundResolver::create(tiny_txt);
  ASSERT_FALSE(txt.ok());
  EXPECT_NE(txt.error().find("max_txt_bytes"), std::string::npos) << txt.error();

  ResolverOptions good;
  good.forwarders = {"127.0.0.1@5353", "::1"};
  good.answer_bounds = AnswerBounds{kMaxAnswerRecords, kMaxTxtBytes};
  EXPECT_TRUE(UnboundResolver::create(good).ok());
}

}  // namespace
}  // namespace authmilter::dns
