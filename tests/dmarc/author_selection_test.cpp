#include "dmarc/author_selection.h"

#include <gtest/gtest.h>

#include "dmarc/from_address.h"

namespace authmilter::dmarc {
namespace {

using Domains = std::vector<std::string>;

TEST(AuthorSelection, OneFromOneDomainIsEvaluated) {
  const auto s = select_authors({"Alice <alice@example.com>"}, MultipleFromPolicy::reject);
  EXPECT_EQ(s.verdict, AuthorVerdict::evaluate);
  EXPECT_EQ(s.domains, Domains{"example.com"});
  // Several mailboxes of one domain are one author domain (RFC 7489 §6.6.1).
  const auto same = select_authors({"a@example.com, b@EXAMPLE.com"}, MultipleFromPolicy::fail);
  EXPECT_EQ(same.verdict, AuthorVerdict::evaluate);
  EXPECT_EQ(same.domains, Domains{"example.com"});
}

TEST(AuthorSelection, NoFromAndUnusableFrom) {
  EXPECT_EQ(select_authors({}, MultipleFromPolicy::strictest).verdict, AuthorVerdict::no_author);
  EXPECT_EQ(select_authors({"undisclosed:;"}, MultipleFromPolicy::strictest).verdict,
            AuthorVerdict::invalid);
  EXPECT_EQ(select_authors({"garbage"}, MultipleFromPolicy::strictest).verdict,
            AuthorVerdict::invalid);
  EXPECT_EQ(select_authors({"", "x"}, MultipleFromPolicy::strictest).verdict,
            AuthorVerdict::invalid);
  EXPECT_EQ(select_authors(std::vector<std::string>(kMaxFromHeaders + 1, "undisclosed:;"),
                           MultipleFromPolicy::strictest)
                .verdict,
            AuthorVerdict::invalid);
}

// A reader still sees the usable author, so it must not escape to the no_from policy (which an
// operator may set to accept): each of these goes to the ambiguity policy, over the usable domain.
TEST(AuthorSelection, UsableAuthorBesideAnUnusablePartIsAmbiguous) {
  std::string too_many_mailboxes = "ceo@bank.example";
  for (std::size_t i = 0; i < kMaxFromAddresses; ++i) too_many_mailboxes += ", a@bank.example";
  const std::vector<std::vector<std::string>> cases{
      {"ceo@bank.example, x"},
      {"ceo@bank.example, x@[192.0.2.1]"},
      {"ceo@bank.example", ""},
      {"ceo@bank.example", "undisclosed:;"},
      std::vector<std::string>(kMaxFromHeaders + 1, "ceo@bank.example"),
      {too_many_mailboxes},
  };
  for (const auto& values : cases) {
    SCOPED_TRACE(values.front().substr(0, 40) + " x" + std::to_string(values.size()));
    const auto rejected = select_authors(values, MultipleFromPolicy::reject);
    EXPECT_EQ(rejected.verdict, AuthorVerdict::reject);
    EXPECT_FALSE(rejected.reason.empty());
    EXPECT_EQ(select_authors(values, MultipleFromPolicy::fail).verdict, AuthorVerdict::fail);
    const auto strictest = select_authors(values, MultipleFromPolicy::strictest);
    EXPECT_EQ(strictest.verdict, AuthorVerdict::evaluate);
    EXPECT_EQ(strictest.domains, Domains{"bank.example"});
  }
}

TEST(AuthorSelection, SeveralDomainsFollowThePolicy) {
  const std::vector<std::string> one_header{"a@x.org, b@evil.example"};
  const std::vector<std::string> two_headers{"a@x.org", "b@evil.example"};
  const std::vector<std::string> group{"Friends: a@x.org, b@evil.example;"};
  for (const auto& values : {one_header, two_headers, group}) {
    SCOPED_TRACE(values.front());
    EXPECT_EQ(select_authors(values, MultipleFromPolicy::reject).verdict, AuthorVerdict::reject);
    EXPECT_EQ(select_authors(values, MultipleFromPolicy::fail).verdict, AuthorVerdict::fail);
    const auto strictest = select_authors(values, MultipleFromPolicy::strictest);
    EXPECT_EQ(strictest.verdict, AuthorVerdict::evaluate);
    EXPECT_EQ(strictest.domains, (Domains{"x.org", "evil.example"}));
  }
}

TEST(AuthorSelection, TwoFromHeadersOfOneDomainAreStillAmbiguous) {
  const auto s = select_authors({"a@x.org", "b@x.org"}, MultipleFromPolicy::reject);
  EXPECT_EQ(s.verdict, AuthorVerdict::reject);
  EXPECT_NE(s.reason.find("2 From headers"), std::string::npos);
}

TEST(AuthorSelection, EncodedWordWithCommaIsNotTwoAuthors) {
  const auto s =
      select_authors({"=?UTF-8?Q?evil.example=2C_x?= <a@x.org>"}, MultipleFromPolicy::reject);
  EXPECT_EQ(s.verdict, AuthorVerdict::evaluate);
  EXPECT_EQ(s.domains, Domains{"x.org"});
}

}  // namespace
}  // namespace authmilter::dmarc
