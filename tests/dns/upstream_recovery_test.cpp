// An upstream resolver that was down and comes back must be used again at once. The chaos run
// (tests/bench/chaos) saw lookups answer temperror for 15-20 s after a 20 s outage of the local
// unbound under load; this sequential case (killed, 10 failed lookups, restarted on the same
// port) recovers in about 100 ms and guards that, but does not reproduce the chaos run's lag.
#include <gtest/gtest.h>

#include <chrono>
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

TEST(UpstreamRecovery, AForwarderBackAfterAnOutageAnswersWithinSeconds) {
  auto port = testing::free_port();
  ASSERT_TRUE(port.ok()) << port.error();
  auto server = TestUnbound::start_on_port(*port, zone_lines());
  ASSERT_TRUE(server.ok()) << server.error();
  ResolverOptions options;
  options.forwarders = {(*server)->forwarder()};
  options.query_timeout = milliseconds(200);
  options.unblock_local_zones = {"test."};
  auto resolver = UnboundResolver::create(options);
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

}  // namespace
}  // namespace authmilter::dns
