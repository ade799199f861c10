// The open-file room kept beside limits.max_connections (filter/daemon/descriptor_budget.h): the
// soft limit is raised when the hard limit allows, and the connection limit in force is cut when
// it does not, so that a burst of connections never leaves the resolver without a socket.
#include "daemon/descriptor_budget.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "daemon/connection_slots.h"

namespace authmilter::daemon {
namespace {

TEST(DescriptorBudget, RoomEnoughChangesNothing) {
  const rlim_t room = 1000 + descriptor_reserve();
  const DescriptorPlan plan = plan_descriptors(1000, room, room);
  EXPECT_EQ(plan.soft_limit, room);
  EXPECT_EQ(plan.connection_cap, 1000u);
  EXPECT_EQ(plan.warning, "");
}

// systemd's defaults for a service: soft 1024, hard 524288.
TEST(DescriptorBudget, TheSoftLimitIsRaisedTowardsTheHardOne) {
  const DescriptorPlan plan = plan_descriptors(1000, 1024, 524288);
  EXPECT_EQ(plan.soft_limit, 1000 + descriptor_reserve());
  EXPECT_EQ(plan.connection_cap, 1000u);
  EXPECT_EQ(plan.warning, "");
  EXPECT_EQ(plan_descriptors(1000, 1024, RLIM_INFINITY).soft_limit, 1000 + descriptor_reserve());
}

TEST(DescriptorBudget, UnderALowHardLimitFewerConnectionsAreServed) {
  const DescriptorPlan plan = plan_descriptors(1000, 1024, 1024);
  EXPECT_EQ(plan.soft_limit, 1024u);
  EXPECT_EQ(plan.connection_cap, 1024 - descriptor_reserve());
  EXPECT_NE(plan.warning.find("limits.max_connections=1000"), std::string::npos) << plan.warning;
  EXPECT_NE(plan.warning.find("hard limit is 1024"), std::string::npos) << plan.warning;
  EXPECT_NE(plan.warning.find("at most " + std::to_string(1024 - descriptor_reserve())),
            std::string::npos)
      << plan.warning;
}

TEST(DescriptorBudget, AHardLimitBelowTheReserveStillServesOneConnection) {
  const DescriptorPlan plan = plan_descriptors(1000, 64, 64);
  EXPECT_EQ(plan.connection_cap, 1u);
  EXPECT_FALSE(plan.warning.empty());
}

TEST(DescriptorBudget, ConnectionSlotsHonourTheCap) {
  set_descriptor_connection_cap(2);
  auto first = ConnectionSlot::acquire(10);
  auto second = ConnectionSlot::acquire(10);
  auto third = ConnectionSlot::acquire(10);
  set_descriptor_connection_cap(SIZE_MAX);
  EXPECT_TRUE(first.has_value());
  EXPECT_TRUE(second.has_value());
  EXPECT_FALSE(third.has_value());
  EXPECT_TRUE(ConnectionSlot::acquire(10).has_value());
}

}  // namespace
}  // namespace authmilter::daemon
