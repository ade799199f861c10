#include "dmarc/org_domain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "conformance_support.h"

namespace authmilter::dmarc {
namespace {

std::string ascii_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

TEST(PublicSuffixList, LoadFailsCleanly) {
  const auto missing = PublicSuffixList::load("/nonexistent/psl.dat");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("/nonexistent/psl.dat"), std::string::npos);
}

TEST(PublicSuffixList, OrgDomainOfAPublicSuffixIsItself) {
  const auto psl = testing::pinned_psl();
  ASSERT_TRUE(psl);
  EXPECT_EQ(psl->org_domain("mail.example.co.uk"), "example.co.uk");
  EXPECT_EQ(psl->org_domain("co.uk"), "co.uk");
  EXPECT_EQ(psl->registrable_domain("co.uk"), "");
  EXPECT_TRUE(psl->is_public_suffix("com"));
  EXPECT_FALSE(psl->is_public_suffix("example.com"));
}

TEST(PublicSuffixList, SharedLoadIsCachedPerPath) {
  const auto path = testing::data_path("psl/public_suffix_list.dat");
  auto a = load_shared_public_suffix_list(path);
  auto b = load_shared_public_suffix_list(path);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
}

// The PSL project's tests.txt: "input expected", "null" = none. RFC 7489 §3.2 org domain.
TEST(PslConformance, PublicSuffixListTests) {
  const auto psl = testing::pinned_psl();
  ASSERT_TRUE(psl);
  std::ifstream in(testing::data_path("psl/tests.txt"));
  ASSERT_TRUE(in.good());
  testing::SuiteTally tally("psl tests.txt", {});
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("//", 0) == 0) continue;
    std::istringstream fields(line);
    std::string input, expected;
    if (!(fields >> input >> expected)) continue;
    ++n;
    std::string got = "null";
    if (input != "null" && input.front() != '.') {
      const auto registrable = psl->registrable_domain(ascii_lower(input));
      if (!registrable.empty()) got = registrable;
    }
    tally.check(std::to_string(n) + " " + input, got == expected, "got " + got);
  }
  EXPECT_EQ(n, 78);
}

TEST(PslConformance, MailDmarcIsPublicSuffix) {
  const auto psl = testing::pinned_psl();
  ASSERT_TRUE(psl);
  const auto cases =
      testing::load_yaml("dmarc/mail-dmarc/mail-dmarc-cases.yaml")["public_suffix"]["cases"];
  const std::string star =
      "the PSL algorithm's default rule \"*\" makes every unlisted TLD a public suffix "
      "(publicsuffix.org list format); Mail::DMARC only consults listed rules";
  testing::SuiteTally tally(
      "mail-dmarc public_suffix",
      {{"a", star},
       {"z", star},
       {"sch.uk",
        "libpsl counts the base of a wildcard rule (*.sch.uk) as a public suffix; "
        "the DMARC org domain of sch.uk is sch.uk either way"}});
  for (const auto& c : cases) {
    const auto name = c["name"].as<std::string>();
    const bool got = psl->is_public_suffix(name);
    tally.check(name, got == (c["expected"].as<int>() == 1), got ? "suffix" : "not a suffix");
  }
}

TEST(PslConformance, OpenDmarcOrgDomainWithItsOwnList) {
  auto list = PublicSuffixList::load(
      testing::data_path("dmarc/opendmarc/opendmarc-effective_tld_names.dat"));
  ASSERT_TRUE(list.ok()) << list.error();
  const auto cases =
      testing::load_yaml("dmarc/opendmarc/opendmarc-cases.yaml")["org_domain"]["cases"];
  testing::SuiteTally tally("opendmarc org_domain", {});
  for (const auto& c : cases) {
    const auto domain = c["domain"].as<std::string>();
    const auto got = list->org_domain(domain);
    tally.check(c["n"].as<std::string>(), got == c["expected"].as<std::string>(),
                domain + " -> " + got);
  }
}

}  // namespace
}  // namespace authmilter::dmarc
