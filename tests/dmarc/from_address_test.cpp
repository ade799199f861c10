#include "dmarc/from_address.h"

#include <gtest/gtest.h>

#include <thread>

#include "conformance_support.h"

namespace authmilter::dmarc {
namespace {

using Domains = std::vector<std::string>;

TEST(FromAddress, DisplayNamesQuotesAndComments) {
  const auto a = parse_from_header("\"Doe, John\" (work) <John@Example.COM>");
  EXPECT_EQ(a.status, FromStatus::ok);
  EXPECT_EQ(a.domains, Domains{"example.com"});
  EXPECT_EQ(parse_from_header("john@example.org (John)").domains, Domains{"example.org"});
}

TEST(FromAddress, SeveralAddressesAreAllReported) {
  // CVE-2019-16378 class: the second domain must not be hidden behind the first.
  const auto a = parse_from_header("a@x.org, b@evil.example");
  EXPECT_EQ(a.status, FromStatus::multiple);
  EXPECT_EQ(a.domains, (Domains{"x.org", "evil.example"}));
  const auto same = parse_from_header("a@x.org, b@X.org");
  EXPECT_EQ(same.status, FromStatus::multiple);
  EXPECT_EQ(same.unique_domains(), Domains{"x.org"});
}

TEST(FromAddress, GroupsAreFlattenedAndEmptyGroupsHaveNoAddress) {
  const auto group = parse_from_header("Team: a@x.org, b@y.org;");
  EXPECT_EQ(group.status, FromStatus::multiple);
  EXPECT_EQ(group.domains, (Domains{"x.org", "y.org"}));
  const auto empty = parse_from_header("undisclosed-recipients:;");
  EXPECT_EQ(empty.status, FromStatus::no_address);
  EXPECT_TRUE(empty.domains.empty());
}

TEST(FromAddress, EncodedWordDisplayNameWithCommaIsOneMailbox) {
  // =?UTF-8?Q?Doe=2C_John?= decodes to "Doe, John": the comma is not an address separator.
  const auto a = parse_from_header("=?UTF-8?Q?Doe=2C_John?= <john@example.com>");
  EXPECT_EQ(a.status, FromStatus::ok) << a.reason;
  EXPECT_EQ(a.domains, Domains{"example.com"});
  const auto b = parse_from_header("=?UTF-8?B?YUBldmlsLmV4YW1wbGUsIA==?= <a@good.example>");
  EXPECT_EQ(b.status, FromStatus::ok) << b.reason;
  EXPECT_EQ(b.domains, Domains{"good.example"});
}

TEST(FromAddress, InternationalDomainBecomesALabel) {
  const auto a = parse_from_header(
      "user@b\xC3\xBC"
      "cher.example");
  ASSERT_EQ(a.status, FromStatus::ok) << a.reason;
  EXPECT_EQ(a.domains, Domains{"xn--bcher-kva.example"});
}

TEST(FromAddress, HostileAndEmptyInput) {
  EXPECT_EQ(parse_from_header("").status, FromStatus::no_address);
  EXPECT_EQ(parse_from_header("  \r\n ").status, FromStatus::no_address);
  EXPECT_EQ(parse_from_header("no address here").status, FromStatus::unparseable);
  EXPECT_EQ(parse_from_header("user@[192.0.2.1]").status, FromStatus::unparseable);
  EXPECT_EQ(parse_from_header(std::string(kMaxFromValueLength + 1, 'a')).status,
            FromStatus::unparseable);
  std::string many;
  for (std::size_t i = 0; i < kMaxFromAddresses + 5; ++i) many += "a@x.org,";
  const auto bounded = parse_from_header(many);
  EXPECT_EQ(bounded.status, FromStatus::unparseable);
  EXPECT_LE(bounded.domains.size(), kMaxFromAddresses + 1);
  EXPECT_EQ(parse_from_header(std::string("a@x.org\0b@y.org", 15)).status, FromStatus::unparseable);
}

TEST(FromAddress, ParsesConcurrently) {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&ok, t] {
      for (int i = 0; i < 200; ++i) {
        if (parse_from_header("A <a@x.org>").domains == Domains{"x.org"}) ++ok[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int count : ok) EXPECT_EQ(count, 200);
}

constexpr const char* kQuotedThenBare =
    "a quoted display name must be followed by an <angle-addr> (RFC 5322 §3.4 name-addr); "
    "GMime rejects the value, and guessing which address is the author is the ambiguity "
    "CVE-2019-16378 exploits";

TEST(FromConformance, OpenDmarcFindDomain) {
  const auto cases =
      testing::load_yaml("dmarc/opendmarc/opendmarc-cases.yaml")["from_header_domain"]["cases"];
  testing::SuiteTally tally("opendmarc from_header_domain",
                            {{"2", kQuotedThenBare},
                             {"6",
                              "'<<<><joe@joe.com>>>' is not RFC 5322; GMime finds no "
                              "mailbox, and we do not guess one out of garbage"},
                             {"12", kQuotedThenBare}});
  for (const auto& c : cases) {
    const auto input = c["input"].as<std::string>();
    const auto authors = parse_from_header(input);
    // OpenDMARC returns the first address's domain; ours lists all, first first.
    const auto got = authors.domains.empty() ? std::string() : authors.domains.front();
    tally.check(c["n"].as<std::string>(), got == c["expected_domain"].as<std::string>(),
                input + " -> '" + got + "' (" + to_string(authors.status) + ")");
  }
}

void run_mail_dmarc_from(const std::string& era) {
  const auto table =
      testing::load_yaml("dmarc/mail-dmarc/mail-dmarc-cases.yaml")["from_header_domain"]["cases"];
  testing::ExpectedFailures expected;
  if (era == "rfc7489") {
    expected["Sample User <user@example.com>,Sample2<user@example2.com>"] =
        "several author domains are never resolved by picking one (RFC 9989 §5.3.1, "
        "CVE-2019-16378); select_authors() applies the configured policy";
  }
  testing::SuiteTally tally("mail-dmarc from_header_domain " + era, expected);
  for (const auto& c : table) {
    const auto input = c["input"].as<std::string>();
    const auto key = c["expected"] ? "expected" : "expected_" + era + "_era";
    const auto authors = parse_from_header(input);
    const auto got = authors.status == FromStatus::ok ? authors.domains.front() : "";
    tally.check(input, got == c[key].as<std::string>(),
                "'" + got + "' (" + to_string(authors.status) + ")");
  }
}

TEST(FromConformance, MailDmarcFromHeaderDomain) {
  run_mail_dmarc_from("rfc7489");
  run_mail_dmarc_from("rfc9989");
}

}  // namespace
}  // namespace authmilter::dmarc
