#include "dmarc/uri.h"

#include <gtest/gtest.h>

#include "conformance_support.h"

namespace authmilter::dmarc {
namespace {

TEST(ReportUri, ParsesMailtoWithSizeLimit) {
  const auto uri = parse_report_uri(" mailto:Agg%2BDmarc@Example.COM!2k ");
  EXPECT_TRUE(uri.valid);
  EXPECT_TRUE(uri.usable);
  EXPECT_EQ(uri.text, "mailto:Agg%2BDmarc@Example.COM");
  EXPECT_EQ(uri.address, "Agg+Dmarc@Example.COM");
  EXPECT_EQ(uri.domain, "example.com");
  EXPECT_EQ(uri.max_bytes, 2048u);
}

TEST(ReportUri, RejectsMalformedInput) {
  EXPECT_FALSE(parse_report_uri("not a uri").valid);
  EXPECT_FALSE(parse_report_uri("mailto:a@example.com!10x").valid);
  EXPECT_FALSE(parse_report_uri("mailto:a@example.com!99999999999999999g").valid);
  EXPECT_FALSE(parse_report_uri("mailto:a b@example.com").valid);
  EXPECT_FALSE(parse_report_uri("mailto:a@exa%zzmple.com").usable);
  EXPECT_FALSE(parse_report_uri(std::string(kMaxReportUriLength + 1, 'a')).valid);
  const auto no_at = parse_report_uri("mailto://abuse.com");
  EXPECT_TRUE(no_at.valid);
  EXPECT_FALSE(no_at.usable);
  const auto https = parse_report_uri("https://example.com/dmarc");
  EXPECT_TRUE(https.valid);
  EXPECT_FALSE(https.usable);  // RFC 9989 §4.7: unsupported schemes are ignored
}

// Found by dmarc_record_fuzz: percent-encoded control characters decoded into a "usable"
// address, which a report would put into its To: header and RCPT TO.
TEST(ReportUri, RefusesControlCharactersInTheAddress) {
  for (const char* text :
       {"mailto:a%0d%0aBcc:x@example.com", "mailto:a%0AB@example.com", "mailto:%00@example.com",
        "mailto:a@example.com%0d", "mailto:a%7f@example.com", "mailto:a%09b@example.com"}) {
    SCOPED_TRACE(text);
    const auto uri = parse_report_uri(text);
    EXPECT_TRUE(uri.valid);
    EXPECT_FALSE(uri.usable);
    EXPECT_EQ(uri.problem, "mailto address contains a control character");
  }
}

// Found in review: a decoded '>' or ' ' in the local part ended the address in RCPT TO:<...>
// and smuggled in an ESMTP parameter, while the domain check saw the publisher's own domain.
TEST(ReportUri, RefusesALocalPartThatIsNotAPlainDotAtom) {
  for (const char* text :
       {"mailto:victim@victim.example%3E%20ORCPT=rfc822%3Bx@attacker.example",
        "mailto:a%20b@example.com", "mailto:%22a%22@example.com", "mailto:a%3Cb@example.com",
        "mailto:a;b@example.com", "mailto:.a@example.com", "mailto:a.@example.com",
        "mailto:a..b@example.com", "mailto:a%C3%A9@example.com", "mailto:a(b)@example.com"}) {
    SCOPED_TRACE(text);
    const auto uri = parse_report_uri(text);
    EXPECT_FALSE(uri.usable);
    EXPECT_FALSE(uri.problem.empty());
  }
  for (const char* text : {"mailto:dmarc.reports+agg@example.com", "mailto:a$&'*=_~-@x.org",
                           "mailto:re%2Bports@example.com"}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(parse_report_uri(text).usable);
  }
}

TEST(ReportUri, SizeSuffixThatWouldOverflowIsMalformed) {
  EXPECT_FALSE(parse_report_uri("mailto:a@example.com!999999999999t").valid);
  EXPECT_FALSE(parse_report_uri("mailto:a@example.com!16777216t").valid);  // 2^64
  const auto largest = parse_report_uri("mailto:a@example.com!16777215t");
  EXPECT_TRUE(largest.valid);
  EXPECT_EQ(largest.max_bytes, std::uint64_t{16777215} << 40);
}

TEST(ReportUri, ListIsBounded) {
  std::string many;
  for (int i = 0; i < 40; ++i) many += (i ? "," : "") + std::string("mailto:a@example.com");
  const auto list = parse_uri_list(many);
  EXPECT_EQ(list.uris.size(), kMaxReportUris);
  EXPECT_TRUE(list.truncated);
  const auto two = parse_uri_list("mailto:a@example.com ,\tmailto:b@example.org");
  ASSERT_EQ(two.uris.size(), 2u);
  EXPECT_EQ(two.uris[1].domain, "example.org");
  EXPECT_TRUE(two.all_valid());
}

TEST(UriConformance, MailDmarcReportingUri) {
  const auto table = testing::load_yaml("dmarc/mail-dmarc/mail-dmarc-cases.yaml")["reporting_uri"];
  testing::SuiteTally tally(
      "mail-dmarc reporting_uri",
      {{"valid ftp://dmarc.example.com,http://example.com/dmarc",
        "only mailto: is usable (RFC 9990 defines mailto delivery only; RFC 9989 §4.7 "
        "unsupported schemes MUST be ignored), so this list has no usable URI"}});
  for (const char* kind : {"valid", "invalid"}) {
    for (const auto& node : table[kind]) {
      const auto value = node.as<std::string>();
      const bool usable = parse_uri_list(value).any_usable();
      tally.check(std::string(kind) + " " + value, usable == (std::string(kind) == "valid"),
                  usable ? "usable" : "no usable URI");
    }
  }
}

}  // namespace
}  // namespace authmilter::dmarc
