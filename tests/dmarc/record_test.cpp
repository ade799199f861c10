#include "dmarc/record.h"

#include <gtest/gtest.h>

#include "conformance_support.h"

namespace authmilter::dmarc {
namespace {

using testing::ExpectedFailures;
using testing::load_yaml;
using testing::SuiteTally;

TEST(Record, ParsesEveryTag) {
  const auto parsed = parse_record(
      "v=DMARC1; p=reject; sp=quarantine; np=none; psd=n; t=y; adkim=s; aspf=s; pct=50; "
      "rua=mailto:agg@example.com!10m, mailto:x@example.net; ruf=mailto:f@example.com; "
      "fo=0:d; rf=afrf; ri=3600",
      DmarcMode::rfc9989);
  ASSERT_EQ(parsed.status, RecordStatus::valid) << parsed.reason;
  const auto& r = parsed.record;
  EXPECT_EQ(r.p, Disposition::reject);
  EXPECT_EQ(r.sp, Disposition::quarantine);
  EXPECT_EQ(r.np, Disposition::none);
  EXPECT_EQ(r.psd, PsdFlag::no);
  EXPECT_TRUE(r.testing);
  EXPECT_EQ(r.adkim, AlignmentMode::strict);
  EXPECT_EQ(r.aspf, AlignmentMode::strict);
  EXPECT_EQ(r.pct, 50);
  ASSERT_EQ(r.rua.uris.size(), 2u);
  EXPECT_EQ(r.rua.uris[0].address, "agg@example.com");
  EXPECT_EQ(r.rua.uris[0].max_bytes, 10u << 20);
  EXPECT_EQ(r.rua.uris[1].domain, "example.net");
  EXPECT_EQ(r.ruf.uris.size(), 1u);
  EXPECT_EQ(r.fo, "0:d");
  EXPECT_EQ(r.ri, 3600u);
  EXPECT_TRUE(r.problems.empty());
}

TEST(Record, VersionMustComeFirstAndMatchExactly) {
  EXPECT_EQ(parse_record("p=reject; v=DMARC1", DmarcMode::rfc9989).status, RecordStatus::not_dmarc);
  EXPECT_EQ(parse_record("v=dmarc1; p=reject", DmarcMode::rfc9989).status, RecordStatus::not_dmarc);
  EXPECT_EQ(parse_record("v=DMARC10; p=reject", DmarcMode::rfc9989).status,
            RecordStatus::not_dmarc);
  EXPECT_EQ(parse_record("v = DMARC1 ;p=reject", DmarcMode::rfc9989).status, RecordStatus::valid);
  EXPECT_EQ(parse_record("", DmarcMode::rfc9989).reason, "empty record");
}

TEST(Record, MissingPolicyDependsOnMode) {
  // RFC 9989 §4.7: absent p is p=none; RFC 7489 §6.6.3: only with a usable rua.
  const auto bis = parse_record("v=DMARC1; adkim=s", DmarcMode::rfc9989);
  EXPECT_EQ(bis.status, RecordStatus::valid);
  EXPECT_EQ(bis.record.policy(), Disposition::none);
  const auto old = parse_record("v=DMARC1; adkim=s", DmarcMode::rfc7489);
  EXPECT_EQ(old.status, RecordStatus::unusable);
  EXPECT_NE(old.reason.find("missing 'p'"), std::string::npos);
  const auto with_rua = parse_record("v=DMARC1; rua=mailto:a@example.com", DmarcMode::rfc7489);
  EXPECT_EQ(with_rua.status, RecordStatus::valid);
  EXPECT_TRUE(with_rua.record.forced_none);
}

TEST(Record, InvalidSubdomainPolicyFallsBackOnlyWithUsableRua) {
  const auto bad = parse_record("v=DMARC1; p=reject; sp=bogus", DmarcMode::rfc9989);
  EXPECT_EQ(bad.status, RecordStatus::unusable);
  EXPECT_NE(bad.reason.find("'sp'"), std::string::npos);
  const auto rua =
      parse_record("v=DMARC1; p=reject; np=bogus; rua=mailto:r@example.com", DmarcMode::rfc9989);
  ASSERT_EQ(rua.status, RecordStatus::valid);
  EXPECT_EQ(rua.record.policy(), Disposition::none);  // "as if p=none", not p=reject
  EXPECT_TRUE(rua.record.forced_none);
  const auto ftp = parse_record("v=DMARC1; p=bogus; rua=ftp://example.com", DmarcMode::rfc9989);
  EXPECT_EQ(ftp.status, RecordStatus::unusable);  // a rua we cannot use does not count
}

TEST(Record, DiscardsBrokenTagsAndNamesThem) {
  const auto parsed = parse_record("v=DMARC1; p=quarantine; adkim=x; pct=101; fo:1; ;;  ; zz=top",
                                   DmarcMode::rfc7489);
  ASSERT_EQ(parsed.status, RecordStatus::valid);
  EXPECT_EQ(parsed.record.adkim, AlignmentMode::relaxed);
  EXPECT_EQ(parsed.record.pct, 100);
  ASSERT_GE(parsed.record.problems.size(), 3u);
  EXPECT_EQ(parsed.record.problems[0].tag, "adkim");
  EXPECT_EQ(parsed.record.problems[1].tag, "pct");
  EXPECT_NE(parsed.reason.find("adkim"), std::string::npos);
}

TEST(Record, BoundsLengthAndTagCount) {
  std::string longer = "v=DMARC1; p=reject; rua=mailto:" + std::string(kMaxRecordLength, 'a');
  EXPECT_EQ(parse_record(longer, DmarcMode::rfc9989).status, RecordStatus::unusable);
  std::string many = "v=DMARC1";
  for (int i = 0; i < 100; ++i) many += "; x=" + std::to_string(i);
  many += "; p=reject";  // past the tag bound: never read
  const auto parsed = parse_record(many, DmarcMode::rfc9989);
  EXPECT_EQ(parsed.status, RecordStatus::valid);
  EXPECT_FALSE(parsed.record.p.has_value());
  EXPECT_FALSE(parsed.record.problems.empty());
}

TEST(Record, DuplicateTagsKeepTheFirst) {
  const auto parsed = parse_record("v=DMARC1; p=none; p=reject", DmarcMode::rfc9989);
  EXPECT_EQ(parsed.record.p, Disposition::none);
  ASSERT_EQ(parsed.record.problems.size(), 1u);
  EXPECT_EQ(parsed.record.problems[0].reason, "duplicate tag ignored");
}

// OpenDMARC's parse codes mapped onto our outcome (OpenDMARC is an RFC 7489 library).
std::string opendmarc_code(const std::string& text) {
  const auto parsed = parse_record(text, DmarcMode::rfc7489);
  if (parsed.status == RecordStatus::not_dmarc) {
    return text.empty() ? "DMARC_PARSE_ERROR_EMPTY" : "DMARC_PARSE_ERROR_BAD_VERSION";
  }
  if (parsed.status == RecordStatus::unusable &&
      parsed.reason.find("missing 'p'") != std::string::npos) {
    return "DMARC_PARSE_ERROR_NO_REQUIRED_P";
  }
  if (parsed.status == RecordStatus::unusable || !parsed.record.problems.empty()) {
    return "DMARC_PARSE_ERROR_BAD_VALUE";
  }
  return "DMARC_PARSE_OKAY";
}

TEST(RecordConformance, OpenDmarcRecordParse) {
  const auto cases = load_yaml("dmarc/opendmarc/opendmarc-cases.yaml")["record_parse"]["cases"];
  SuiteTally tally("opendmarc record_parse",
                   {{"5",
                     "RFC 7489 §6.3 dmarc-request is none/quarantine/reject; 'p=n' is not "
                     "a valid value (OpenDMARC accepts a prefix)"}});
  for (const auto& c : cases) {
    const auto record = c["record"].as<std::string>();
    const auto got = opendmarc_code(record);
    tally.check(c["n"].as<std::string>(), got == c["expected"].as<std::string>(),
                record + " -> " + got);
  }
  EXPECT_EQ(tally.passed() + tally.failed(), 19);
}

ExpectedFailures tag_value_expected_failures() {
  const std::string uri_reason =
      "RFC 9989 §4.8 / RFC 7489 §6.4: dmarc-uri is any RFC 3986 URI; an unsupported scheme is "
      "ignored when sending, not a syntax error";
  return {
      {"good v=dmarc1", "RFC 9989 §4.8 %s\"DMARC1\" is case-sensitive (RFC 7489 ABNF too)"},
      {"bad rua=ftp://example.com/pub", uri_reason},
      {"bad rua=torrent://piratebay.net/dmarc", uri_reason},
      {"bad ruf=mail:msimerson@cnap.org", uri_reason},
  };
}

void run_tag_values(const YAML::Node& era, const std::string& name) {
  SuiteTally tally("mail-dmarc policy_tag_values " + name, tag_value_expected_failures());
  for (const char* kind : {"good", "bad"}) {
    for (const auto& tag : era[kind]) {
      const auto tag_name = tag.first.as<std::string>();
      for (const auto& value : tag.second) {
        const auto text = value.as<std::string>();
        const Status problem = check_tag_value(tag_name, text);
        const bool accepted = problem.ok();
        tally.check(std::string(kind) + " " + tag_name + "=" + text,
                    accepted == (std::string(kind) == "good"),
                    accepted ? std::string("accepted") : problem.error());
      }
    }
  }
}

TEST(RecordConformance, MailDmarcTagValues) {
  const auto values = load_yaml("dmarc/mail-dmarc/mail-dmarc-cases.yaml")["policy_tag_values"];
  run_tag_values(values["rfc7489_era"], "rfc7489");
  run_tag_values(values["rfc9989_era"], "rfc9989");
}

}  // namespace
}  // namespace authmilter::dmarc
