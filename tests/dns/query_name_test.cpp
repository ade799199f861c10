// Tests for to_query_name: validation and escaping of names given to libunbound.
#include "dns/query_name.h"

#include <gtest/gtest.h>

namespace authmilter::dns {
namespace {

TEST(QueryNameTest, PlainNamesPassWithOneTrailingDot) {
  EXPECT_EQ(to_query_name("example.test"), "example.test.");
  EXPECT_EQ(to_query_name("Example.TEST."), "Example.TEST.");
  EXPECT_EQ(to_query_name("_dmarc.example.test"), "_dmarc.example.test.");
  EXPECT_EQ(to_query_name("sel._domainkey.a-b.test"), "sel._domainkey.a-b.test.");
}

TEST(QueryNameTest, OtherBytesAreEscapedAsDecimal) {
  EXPECT_EQ(to_query_name("a\\b.test"), "a\\092b.test.");
  EXPECT_EQ(to_query_name("a b.test"), "a\\032b.test.");
  EXPECT_EQ(to_query_name(std::string_view("a\0b", 3)), "a\\000b.");
  EXPECT_EQ(to_query_name("\xff.test"), "\\255.test.");
  EXPECT_EQ(to_query_name("a\"b;c"), "a\\034b\\059c.");
}

TEST(QueryNameTest, ImpossibleNamesAreRejected) {
  EXPECT_FALSE(to_query_name(""));
  EXPECT_FALSE(to_query_name("."));
  EXPECT_FALSE(to_query_name("a..b"));
  EXPECT_FALSE(to_query_name(".a"));
  EXPECT_FALSE(to_query_name("a.."));
  EXPECT_FALSE(to_query_name(std::string(64, 'a') + ".test"));
  EXPECT_TRUE(to_query_name(std::string(63, 'a') + ".test"));
}

TEST(QueryNameTest, WireLengthLimitIs255) {
  const std::string label(63, 'a');
  // 4 labels: 4 * 64 + 1 = 257 octets > 255; 3 labels of 63 and one of 61: 255.
  EXPECT_FALSE(to_query_name(label + "." + label + "." + label + "." + label));
  EXPECT_TRUE(to_query_name(label + "." + label + "." + label + "." + std::string(61, 'b')));
  EXPECT_FALSE(to_query_name(label + "." + label + "." + label + "." + std::string(62, 'b')));
}

}  // namespace
}  // namespace authmilter::dns
