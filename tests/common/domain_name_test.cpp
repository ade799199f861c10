// The one "is under" of every check: equality counted or not, labels whole, case and one
// trailing dot ignored.
#include "common/domain_name.h"

#include <gtest/gtest.h>

namespace authmilter {
namespace {

TEST(DomainName, SameOrSubdomain) {
  EXPECT_TRUE(is_same_or_subdomain("example.org", "example.org"));
  EXPECT_TRUE(is_same_or_subdomain("mail.example.org", "example.org"));
  EXPECT_TRUE(is_same_or_subdomain("a.b.Example.ORG.", "example.org"));
  EXPECT_TRUE(is_same_or_subdomain("example.org", "EXAMPLE.org."));
  EXPECT_FALSE(is_same_or_subdomain("badexample.org", "example.org"));  // whole labels only
  EXPECT_FALSE(is_same_or_subdomain("example.org", "mail.example.org"));
  EXPECT_FALSE(is_same_or_subdomain("org", "example.org"));
  EXPECT_FALSE(is_same_or_subdomain("example.org", ""));
  EXPECT_FALSE(is_same_or_subdomain("", "example.org"));
}

TEST(DomainName, ProperSubdomain) {
  EXPECT_TRUE(is_proper_subdomain("mail.example.org", "example.org"));
  EXPECT_TRUE(is_proper_subdomain("a.b.example.org.", "Example.Org"));
  EXPECT_FALSE(is_proper_subdomain("example.org", "example.org"));
  EXPECT_FALSE(is_proper_subdomain("example.org.", "example.org"));
  EXPECT_FALSE(is_proper_subdomain("xexample.org", "example.org"));
  EXPECT_FALSE(is_proper_subdomain(".example.org", "example.org.x"));
}

TEST(DomainName, LengthLimitIsThePresentationForm) {
  EXPECT_EQ(kMaxDomainNameLength, 253u);
}

}  // namespace
}  // namespace authmilter
