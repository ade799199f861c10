// Tests for BudgetedResolver: a fake clock and a slow fake inner resolver for the arithmetic,
// a real sleeping fake and a real unbound against a silent server for wall time.
#include "dns/budgeted_resolver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "dns/unbound_resolver.h"
#include "dns/zone_resolver.h"
#include "outcome_printer.h"
#include "test_unbound_support.h"

namespace authmilter::dns {
namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;

// A resolver that takes `delay` of fake time per lookup, or less when the deadline comes
// first (then it answers timeout, as UnboundResolver does). Records every deadline it got.
class SlowFakeResolver : public Resolver {
 public:
  SlowFakeResolver(TimePoint& now, milliseconds delay) : now_(now), delay_(delay) {
    zone_.add_txt("example.test", "v=spf1 -all");
    zone_.add_address("example.test", *net::IpAddress::parse("192.0.2.1"));
    zone_.add_mx("example.test", 10, "mx.example.test");
    zone_.add_ptr("1.2.0.192.in-addr.arpa", "example.test");
    zone_.add_txt("big.example.test", "cut");
    zone_.add_truncation("big.example.test", RecordType::txt);
  }

  TxtAnswer lookup_txt(std::string_view name) override {
    return lookup_txt_until(name, Deadline::max());
  }
  AddressAnswer lookup_addresses(std::string_view name, net::IpFamily family) override {
    return lookup_addresses_until(name, family, Deadline::max());
  }
  MxAnswer lookup_mx(std::string_view name) override {
    return lookup_mx_until(name, Deadline::max());
  }
  NameAnswer lookup_ptr(const net::IpAddress& address) override {
    return lookup_ptr_until(address, Deadline::max());
  }
  TxtAnswer lookup_txt_until(std::string_view name, Deadline deadline) override {
    return wait(deadline, zone_.lookup_txt(name));
  }
  AddressAnswer lookup_addresses_until(std::string_view name, net::IpFamily family,
                                       Deadline deadline) override {
    return wait(deadline, zone_.lookup_addresses(name, family));
  }
  MxAnswer lookup_mx_until(std::string_view name, Deadline deadline) override {
    return wait(deadline, zone_.lookup_mx(name));
  }
  NameAnswer lookup_ptr_until(const net::IpAddress& address, Deadline deadline) override {
    return wait(deadline, zone_.lookup_ptr(address));
  }

  std::vector<Deadline> deadlines;
  milliseconds delay() const { return delay_; }
  void set_delay(milliseconds delay) { delay_ = delay; }

 private:
  template <class AnswerType>
  AnswerType wait(Deadline deadline, AnswerType answer) {
    deadlines.push_back(deadline);
    const TimePoint done = now_ + delay_;
    if (deadline < done) {
      now_ = std::max(now_, deadline);
      AnswerType late;
      late.outcome = Outcome::timeout;
      return late;
    }
    now_ = done;
    return answer;
  }

  TimePoint& now_;
  milliseconds delay_;
  ZoneResolver zone_;
};

class BudgetedResolverTest : public ::testing::Test {
 protected:
  BudgetedResolver::Clock clock() {
    return [this] { return now; };
  }

  TimePoint now = TimePoint{} + std::chrono::hours(1);
  SlowFakeResolver slow{now, milliseconds(100)};
};

TEST_F(BudgetedResolverTest, AnswersPassThroughAndTimeIsCounted) {
  BudgetedResolver budgeted(slow, milliseconds(1000), clock());
  const TxtAnswer txt = budgeted.lookup_txt("example.test");
  ASSERT_EQ(txt.outcome, Outcome::ok);
  EXPECT_EQ(txt.records, std::vector<std::string>{"v=spf1 -all"});
  EXPECT_EQ(budgeted.lookup_mx("example.test").records.size(), 1u);
  EXPECT_EQ(budgeted.lookup_addresses("nope.test", net::IpFamily::v4).outcome, Outcome::nxdomain);
  EXPECT_EQ(budgeted.lookup_ptr(*net::IpAddress::parse("192.0.2.1")).records,
            std::vector<std::string>{"example.test"});
  EXPECT_EQ(budgeted.spent(), milliseconds(400));
  EXPECT_FALSE(budgeted.exhausted());
  EXPECT_EQ(budgeted.refused(), 0);
}

TEST_F(BudgetedResolverTest, InnerGetsTheBudgetsEndOrTheCallersDeadlineWhicheverIsSooner) {
  BudgetedResolver budgeted(slow, milliseconds(1000), clock());
  const TimePoint start = now;
  budgeted.lookup_txt("example.test");  // 100 ms spent
  ASSERT_EQ(slow.deadlines.size(), 1u);
  EXPECT_EQ(slow.deadlines[0], start + milliseconds(1000));
  now += std::chrono::seconds(30);  // time between lookups (the body arriving) does not count
  const TimePoint second = now;
  budgeted.lookup_txt("example.test");
  EXPECT_EQ(slow.deadlines[1], second + milliseconds(900));
  const TimePoint third = now;
  budgeted.lookup_txt_until("example.test", third + milliseconds(50));
  EXPECT_EQ(slow.deadlines[2], third + milliseconds(50));  // the caller's is sooner
}

TEST_F(BudgetedResolverTest, LookupInProgressIsCutAtTheBudgetsEnd) {
  slow.set_delay(milliseconds(5000));  // a per-query timeout the budget must not wait out
  BudgetedResolver budgeted(slow, milliseconds(300), clock());
  const TimePoint start = now;
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::timeout);
  EXPECT_EQ(now, start + milliseconds(300));
  EXPECT_TRUE(budgeted.exhausted());
  EXPECT_EQ(budgeted.spent(), milliseconds(300));
}

TEST_F(BudgetedResolverTest, AReserveIsOutOfReachUntilReleasedAndTheTotalHolds) {
  BudgetedResolver budgeted(slow, milliseconds(1000), clock());
  budgeted.hold_back(milliseconds(250));
  const TimePoint start = now;
  for (int i = 0; i < 7; ++i) budgeted.lookup_txt("example.test");           // 700 ms
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::timeout);  // cut at 750
  EXPECT_EQ(now, start + milliseconds(750));
  EXPECT_TRUE(budgeted.exhausted());
  const std::size_t asked = slow.deadlines.size();
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::timeout);  // refused unasked
  EXPECT_EQ(slow.deadlines.size(), asked);
  budgeted.release_reserve();
  const TimePoint released = now;
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::ok);
  EXPECT_EQ(slow.deadlines.back(), released + milliseconds(250));
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::ok);       // 950
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::timeout);  // 1000: all spent
  EXPECT_EQ(budgeted.spent(), milliseconds(1000));
  EXPECT_TRUE(budgeted.exhausted());
}

TEST_F(BudgetedResolverTest, SpentBudgetAnswersTimeoutWithoutAskingTheInnerResolver) {
  BudgetedResolver budgeted(slow, milliseconds(250), clock());
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::ok);  // 100
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::ok);  // 200
  EXPECT_FALSE(budgeted.exhausted());
  // The third is cut after the remaining 50 ms.
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::timeout);
  EXPECT_TRUE(budgeted.exhausted());
  const std::size_t asked = slow.deadlines.size();
  const TimePoint before = now;
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::timeout);
  EXPECT_EQ(budgeted.lookup_addresses("example.test", net::IpFamily::v4).outcome, Outcome::timeout);
  EXPECT_EQ(budgeted.lookup_mx("example.test").outcome, Outcome::timeout);
  EXPECT_EQ(budgeted.lookup_ptr(*net::IpAddress::parse("192.0.2.1")).outcome, Outcome::timeout);
  EXPECT_TRUE(budgeted.lookup_txt("example.test").temporary_failure());
  EXPECT_EQ(slow.deadlines.size(), asked);  // never asked
  EXPECT_EQ(now, before);                   // and no time passed
  EXPECT_EQ(budgeted.refused(), 5);
}

TEST_F(BudgetedResolverTest, AnAnswerThatUsesUpTheBudgetIsKept) {
  BudgetedResolver budgeted(slow, milliseconds(100), clock());
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::ok);  // exactly 100 ms
  EXPECT_TRUE(budgeted.exhausted());
  EXPECT_EQ(budgeted.lookup_txt("example.test").outcome, Outcome::timeout);
}

TEST_F(BudgetedResolverTest, ZeroBudgetMeansNoBudget) {
  slow.set_delay(milliseconds(10000));
  BudgetedResolver unlimited(slow, milliseconds(0), clock());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(unlimited.lookup_txt("example.test").outcome, Outcome::ok);
  EXPECT_FALSE(unlimited.exhausted());
  EXPECT_EQ(slow.deadlines.front(), Deadline::max());
  const TimePoint own = now + milliseconds(7);
  unlimited.lookup_txt_until("example.test", own);
  EXPECT_EQ(slow.deadlines.back(), own);  // a caller's deadline still passes through
}

TEST_F(BudgetedResolverTest, FirstTruncatedAnswerIsNoted) {
  BudgetedResolver budgeted(slow, milliseconds(1000), clock());
  budgeted.lookup_txt("example.test");
  EXPECT_EQ(budgeted.first_truncated(), "");
  const TxtAnswer cut = budgeted.lookup_txt("Big.Example.Test");
  EXPECT_TRUE(cut.truncated);  // passed on unchanged: the checks decide what it means
  EXPECT_EQ(budgeted.first_truncated(), "TXT Big.Example.Test");
  budgeted.lookup_txt("big.example.test");
  EXPECT_EQ(budgeted.first_truncated(), "TXT Big.Example.Test");  // the first only
}

// Wall time: an inner resolver that really sleeps (honouring the deadline).
class SleepingResolver : public ZoneResolver {
 public:
  TxtAnswer lookup_txt_until(std::string_view, Deadline deadline) override {
    const auto wake = std::min(deadline, std::chrono::steady_clock::now() + milliseconds(2000));
    std::this_thread::sleep_until(wake);
    TxtAnswer answer;
    answer.outcome = Outcome::timeout;
    return answer;
  }
};

TEST(BudgetedResolverWallTimeTest, RealClockStopsASlowResolverAtTheBudget) {
  SleepingResolver sleeping;
  BudgetedResolver budgeted(sleeping, milliseconds(150));
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(budgeted.lookup_txt("a.test").outcome, Outcome::timeout);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, milliseconds(150));
  EXPECT_LT(elapsed, milliseconds(150 + 300));  // not 10 x 2 s
  EXPECT_TRUE(budgeted.exhausted());
  EXPECT_EQ(budgeted.refused(), 9);
}

TEST(BudgetedResolverWallTimeTest, RealUnboundAgainstASilentServerStopsAtTheBudget) {
  auto silent = testing::SilentUdpServer::open();
  ASSERT_TRUE(silent.ok()) << silent.error();
  ResolverOptions options;
  options.forwarders = {(*silent)->forwarder()};
  options.query_timeout = milliseconds(3000);
  options.unblock_local_zones = {"test."};
  auto unbound = UnboundResolver::create(options);
  ASSERT_TRUE(unbound.ok()) << unbound.error();
  BudgetedResolver budgeted(**unbound, milliseconds(250));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(budgeted.lookup_txt("first.test").outcome, Outcome::timeout);
  EXPECT_EQ(budgeted.lookup_mx("second.test").outcome, Outcome::timeout);
  EXPECT_EQ(budgeted.lookup_addresses("third.test", net::IpFamily::v6).outcome, Outcome::timeout);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(250 + 400));  // not 3 x 3 s
  EXPECT_TRUE(budgeted.exhausted());
  EXPECT_EQ(budgeted.refused(), 2);
  EXPECT_GT((*silent)->received(), 0);
}

}  // namespace
}  // namespace authmilter::dns
