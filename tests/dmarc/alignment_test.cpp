#include "dmarc/alignment.h"

#include <gtest/gtest.h>

#include "conformance_support.h"
#include "dmarc/evaluate.h"
#include "dmarc/tree_walk.h"
#include "dns/zone_resolver.h"

namespace authmilter::dmarc {
namespace {

// A finder that must not be asked: proves the cheap paths make no look-up.
class NoLookups : public OrgDomainFinder {
 public:
  OrgDomainAnswer find(std::string_view) override {
    ADD_FAILURE() << "unexpected organizational-domain look-up";
    return {};
  }
};

TEST(Alignment, StrictAndCheapPaths) {
  NoLookups finder;
  EXPECT_EQ(check_alignment("Example.COM.", "example.com", AlignmentMode::strict, finder).result,
            Alignment::aligned);
  EXPECT_EQ(
      check_alignment("mail.example.com", "example.com", AlignmentMode::strict, finder).result,
      Alignment::not_aligned);
  EXPECT_EQ(check_alignment("example.com", "example.net", AlignmentMode::relaxed, finder).result,
            Alignment::not_aligned);
  EXPECT_EQ(check_alignment("..com", "mac...com", AlignmentMode::strict, finder).result,
            Alignment::not_aligned);
}

TEST(Alignment, RelaxedUsesTheFinderAndReportsDnsFailure) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  zone.add_failure("_dmarc.com", dns::RecordType::txt, dns::Outcome::servfail);
  RecordSource source(zone, DmarcMode::rfc9989);
  TreeWalkOrgDomainFinder finder(source);
  const auto check =
      check_alignment("a.example.com", "b.example.com", AlignmentMode::relaxed, finder);
  EXPECT_EQ(check.result, Alignment::undetermined);
  EXPECT_NE(check.reason.find("SERVFAIL"), std::string::npos);
}

TEST(AlignmentConformance, OpenDmarcAlignment) {
  const auto psl = testing::pinned_psl();
  ASSERT_TRUE(psl);
  PslOrgDomainFinder finder(*psl);
  const std::string dots =
      "'.mac.com.' / '....mac.com....' are not domain names (RFC 1035 §2.3.1: empty labels); "
      "OpenDMARC strips the dots, we never align a malformed name";
  testing::SuiteTally tally("opendmarc alignment", {{"5", dots}, {"6", dots}});
  const auto cases =
      testing::load_yaml("dmarc/opendmarc/opendmarc-cases.yaml")["alignment"]["cases"];
  for (const auto& c : cases) {
    const auto mode =
        c["mode"].as<std::string>() == "strict" ? AlignmentMode::strict : AlignmentMode::relaxed;
    const auto check = check_alignment(c["domain2"].as<std::string>(),
                                       c["domain1"].as<std::string>(), mode, finder);
    const bool aligned = check.result == Alignment::aligned;
    tally.check(c["n"].as<std::string>(), aligned == (c["expected"].as<int>() == 0),
                aligned ? "aligned" : "not aligned: " + check.reason);
  }
}

DmarcInput input_for(const YAML::Node& c) {
  DmarcInput input;
  input.from_domain = c["header_from"].as<std::string>();
  if (c["spf"]) {
    input.spf_domain = c["spf"]["domain"].as<std::string>();
    input.spf_pass = c["spf"]["result"].as<std::string>() == "pass";
  }
  for (const auto& sig : c["dkim"]) {
    if (sig["result"].as<std::string>() == "pass") {
      input.dkim_pass_domains.push_back(sig["domain"].as<std::string>());
    }
  }
  return input;
}

bool alignment_matches(const YAML::Node& c, OrgDomainFinder& finder, std::string& detail) {
  const auto input = input_for(c);
  const auto aspf = c["aspf"] && c["aspf"].as<std::string>() == "s" ? AlignmentMode::strict
                                                                    : AlignmentMode::relaxed;
  bool spf = false, spf_strict = false, dkim = false;
  if (input.spf_pass) {
    const auto check = check_alignment(input.from_domain, input.spf_domain, aspf, finder);
    spf = check.result == Alignment::aligned;
    spf_strict = check.identical;
  }
  for (const auto& d : input.dkim_pass_domains) {
    dkim = dkim || check_alignment(input.from_domain, d, AlignmentMode::relaxed, finder).result ==
                       Alignment::aligned;
  }
  detail = std::string("spf ") + (spf ? "aligned" : "no") + ", dkim " + (dkim ? "aligned" : "no");
  const auto expect = c["expect"];
  bool ok = true;
  if (expect["spf_aligned"]) ok = ok && spf == expect["spf_aligned"].as<bool>();
  if (expect["dkim_aligned"]) ok = ok && dkim == expect["dkim_aligned"].as<bool>();
  if (expect["spf_align"]) {
    ok = ok && (spf_strict ? "strict" : "relaxed") == expect["spf_align"].as<std::string>();
  }
  return ok;
}

TEST(AlignmentConformance, MailDmarcAlignmentBothEras) {
  const auto table = testing::load_yaml("dmarc/mail-dmarc/mail-dmarc-cases.yaml");
  const auto psl = testing::pinned_psl();
  ASSERT_TRUE(psl);
  PslOrgDomainFinder psl_finder(*psl);
  testing::MockZoneResolver zone(table["rfc9989_mock_zone"]["lines"]);
  for (const bool bis : {false, true}) {
    testing::SuiteTally tally(bis ? "mail-dmarc alignment rfc9989" : "mail-dmarc alignment rfc7489",
                              {});
    int n = 0;
    for (const auto& c : table["alignment"]["cases"]) {
      RecordSource source(zone, DmarcMode::rfc9989);
      TreeWalkOrgDomainFinder walk_finder(source);
      std::string detail;
      const bool ok = alignment_matches(c,
                                        bis ? static_cast<OrgDomainFinder&>(walk_finder)
                                            : static_cast<OrgDomainFinder&>(psl_finder),
                                        detail);
      tally.check(std::to_string(++n) + " " + c["header_from"].as<std::string>(), ok, detail);
    }
  }
}

}  // namespace
}  // namespace authmilter::dmarc
