// An upstream resolver that was down and comes back must be used again within seconds.
// The first test is the plain case (killed, 10 failed lookups, restarted on the same port).
// The second is a forwarder libunbound has marked down: with libunbound's own default for how
// long it remembers that (infra-host-ttl 900 s) every lookup stays a temperror for up to 15
// minutes after the server is back; ours (kUpstreamStateSeconds) asks it again within seconds.
// A real outage needs minutes of timeouts to mark a server down; infra-cache-max-rtt 2000
// gets there in seconds. Names are unique, so libunbound's per-name failure cache (5 s) plays
// no part; the chaos run (tests/bench/chaos) measures that with repeated names under load.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include "dns/unbound_resolver.h"
#include "outcome_printer.h"
#include "test_unbound_support.h"

namespace authmilter::dns {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::TestUnbound;

std::vector<std::string> zone_lines() {
  return {
      R"(local-zone: "recovery.test." static)",
      R"(local-data: "recovery.test. 3600 IN SOA ns.recovery.test. host.recovery.test. 1 3600 600 86400 300")",
      R"(local-data: 'up.recovery.test. TXT "up"')",
  };
}

// A resolver forwarding to `server`, with the test zone's reserved name unblocked.
ResolverOptions forwarding_to(const TestUnbound& server, milliseconds query_timeout) {
  ResolverOptions options;
  options.forwarders = {server.forwarder()};
  options.query_timeout = query_timeout;
  options.unblock_local_zones = {"test."};
  return options;
}

TEST(UpstreamRecovery, AForwarderBackAfterAnOutageAnswersWithinSeconds) {
  auto port = testing::free_port();
  ASSERT_TRUE(port.ok()) << port.error();
  auto server = TestUnbound::start_on_port(*port, zone_lines());
  ASSERT_TRUE(server.ok()) << server.error();
  auto resolver = UnboundResolver::create(forwarding_to(**server, milliseconds(200)));
  ASSERT_TRUE(resolver.ok()) << resolver.error();
  ASSERT_EQ((*resolver)->lookup_txt("up.recovery.test").outcome, Outcome::ok);

  // The outage: every lookup meanwhile (names the caches cannot answer) fails temporarily.
  server->reset();
  for (int i = 0; i < 10; ++i) {
    const auto answer = (*resolver)->lookup_txt("down" + std::to_string(i) + ".recovery.test");
    EXPECT_TRUE(answer.temporary_failure()) << to_string(answer.outcome);
  }

  auto back = TestUnbound::start_on_port(*port, zone_lines());
  ASSERT_TRUE(back.ok()) << back.error();
  const auto restarted = steady_clock::now();
  Outcome outcome = Outcome::servfail;
  for (int i = 0; outcome != Outcome::ok && steady_clock::now() - restarted < milliseconds(30000);
       ++i) {
    // NODATA for a name in the zone is an answer from the server: it is back in use.
    outcome = (*resolver)->lookup_txt("back" + std::to_string(i) + ".recovery.test").outcome;
    if (outcome == Outcome::nxdomain || outcome == Outcome::nodata) outcome = Outcome::ok;
    if (outcome != Outcome::ok) std::this_thread::sleep_for(milliseconds(100));
  }
  const auto recovered = std::chrono::duration_cast<milliseconds>(steady_clock::now() - restarted);
  std::printf("upstream back in use %lld ms after its restart\n",
              static_cast<long long>(recovered.count()));
  EXPECT_EQ(outcome, Outcome::ok);
  EXPECT_LT(recovered, milliseconds(3000));
}

// Lookups of fresh names every 100 ms until one gets an answer from the server (NXDOMAIN and
// NODATA are answers) or `limit` passes; returns how long that took, or nullopt.
std::optional<milliseconds> time_to_answer(Resolver& resolver, const std::string& tag,
                                           milliseconds limit) {
  const auto start = steady_clock::now();
  for (int i = 0; steady_clock::now() - start < limit; ++i) {
    const Outcome outcome = resolver.lookup_txt(tag + std::to_string(i) + ".recovery.test").outcome;
    if (outcome == Outcome::ok || outcome == Outcome::nxdomain || outcome == Outcome::nodata) {
      return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  return std::nullopt;
}

TEST(UpstreamRecovery, AForwarderMarkedDownIsAskedAgainWithinSeconds) {
  auto port = testing::free_port();
  ASSERT_TRUE(port.ok()) << port.error();
  auto server = TestUnbound::start_on_port(*port, zone_lines());
  ASSERT_TRUE(server.ok()) << server.error();
  ResolverOptions ours = forwarding_to(**server, milliseconds(500));
  ours.libunbound_settings = {{"infra-cache-max-rtt:", "2000"}};
  ResolverOptions libunbound_default = ours;
  libunbound_default.libunbound_settings.emplace_back("infra-host-ttl:", "900");
  auto resolver = UnboundResolver::create(ours);
  ASSERT_TRUE(resolver.ok()) << resolver.error();
  auto control = UnboundResolver::create(libunbound_default);
  ASSERT_TRUE(control.ok()) << control.error();
  ASSERT_EQ((*resolver)->lookup_txt("up.recovery.test").outcome, Outcome::ok);
  ASSERT_EQ((*control)->lookup_txt("up.recovery.test").outcome, Outcome::ok);

  // 4 s of timeouts: the forwarder's timeout reaches infra-cache-max-rtt, it counts as down.
  server->reset();
  auto ours_down = std::async(
      std::launch::async, [&] { return time_to_answer(**resolver, "down", milliseconds(4000)); });
  auto control_down = std::async(
      std::launch::async, [&] { return time_to_answer(**control, "down", milliseconds(4000)); });
  ASSERT_FALSE(ours_down.get().has_value());
  ASSERT_FALSE(control_down.get().has_value());

  auto back = TestUnbound::start_on_port(*port, zone_lines());
  ASSERT_TRUE(back.ok()) << back.error();
  auto ours_back = std::async(
      std::launch::async, [&] { return time_to_answer(**resolver, "back", milliseconds(15000)); });
  auto control_back = std::async(
      std::launch::async, [&] { return time_to_answer(**control, "back", milliseconds(15000)); });
  const std::optional<milliseconds> recovered = ours_back.get();
  const std::optional<milliseconds> control_recovered = control_back.get();
  ASSERT_TRUE(recovered.has_value()) << "still failing 15 s after the forwarder came back";
  std::printf("forwarder marked down: asked again %lld ms after its restart\n",
              static_cast<long long>(recovered->count()));
  EXPECT_LE(*recovered, milliseconds(1000 * (kUpstreamStateSeconds + 3)));
  // The premise: with libunbound's default the same forwarder is still unused.
  EXPECT_FALSE(control_recovered.has_value())
      << "infra-host-ttl 900 recovered in " << control_recovered->count() << " ms";
}

}  // namespace
}  // namespace authmilter::dns
