#include "net/ip_address.h"

#include <gtest/gtest.h>

namespace authmilter::net {
namespace {

TEST(IpAddress, ParsesAndPrintsBothFamilies) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->to_string(), "192.0.2.1");
  EXPECT_EQ(IpAddress::parse("2001:DB8:0:0::1")->to_string(), "2001:db8::1");
  EXPECT_FALSE(IpAddress::parse("").has_value());
  EXPECT_FALSE(IpAddress::parse("192.0.2").has_value());
  EXPECT_FALSE(IpAddress::parse("192.0.2.256").has_value());
  EXPECT_FALSE(IpAddress::parse("2001:db8::1::2").has_value());
  EXPECT_FALSE(IpAddress::parse(std::string(200, '1')).has_value());
}

TEST(IpAddress, UnmapsIpv4MappedIpv6) {
  auto mapped = IpAddress::parse("::ffff:192.0.2.7");
  ASSERT_TRUE(mapped.has_value());
  EXPECT_TRUE(mapped->is_v4());
  EXPECT_EQ(mapped->to_string(), "192.0.2.7");
}

TEST(IpAddress, ReverseNames) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->reverse_name(), "1.2.0.192.in-addr.arpa");
  EXPECT_EQ(IpAddress::parse("2001:db8::1")->reverse_name(),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

TEST(CidrBlock, ContainsHonoursPrefixLength) {
  auto block = CidrBlock::parse("192.0.2.0/25");
  ASSERT_TRUE(block.has_value());
  EXPECT_TRUE(block->contains(*IpAddress::parse("192.0.2.127")));
  EXPECT_FALSE(block->contains(*IpAddress::parse("192.0.2.128")));
  EXPECT_FALSE(block->contains(*IpAddress::parse("2001:db8::1")));
  auto everything = CidrBlock::parse("0.0.0.0/0");
  ASSERT_TRUE(everything.has_value());
  EXPECT_TRUE(everything->contains(*IpAddress::parse("203.0.113.9")));
  auto v6 = CidrBlock::parse("2001:db8::/33");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->contains(*IpAddress::parse("2001:db8:7fff::1")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("2001:db8:8000::1")));
}

// Postfix's mynetworks spelling of an IPv4 network: the prefix counts IPv6 bits.
TEST(CidrBlock, MappedNetworkCountsItsPrefixInIpv6Bits) {
  auto loopback = CidrBlock::parse("::ffff:127.0.0.0/104");
  ASSERT_TRUE(loopback.has_value());
  EXPECT_EQ(loopback->prefix_bits, 8);
  EXPECT_TRUE(loopback->contains(*IpAddress::parse("127.9.9.9")));
  EXPECT_FALSE(loopback->contains(*IpAddress::parse("128.0.0.1")));
  auto host = CidrBlock::parse("::ffff:192.0.2.7");
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->prefix_bits, 32);
  // Shorter than /96 it is no IPv4 network, and is refused rather than read as a v4 prefix.
  EXPECT_FALSE(CidrBlock::parse("::ffff:10.0.0.0/8").has_value());
  EXPECT_FALSE(CidrBlock::parse("::ffff:10.0.0.0/129").has_value());
}

TEST(CidrBlock, RejectsMalformedText) {
  for (const char* bad : {"192.0.2.0/33", "192.0.2.0/", "192.0.2.0/x", "2001:db8::/129",
                          "192.0.2.0/-1", "192.0.2.0/24/1", "/24"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(CidrBlock::parse(bad).has_value());
  }
}

}  // namespace
}  // namespace authmilter::net
