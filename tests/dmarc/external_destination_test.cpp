#include "dmarc/external_destination.h"

#include <gtest/gtest.h>

#include "conformance_support.h"
#include "dns/zone_resolver.h"

namespace authmilter::dmarc {
namespace {

TEST(ExternalDestination, SameOrgDomainIsInternal) {
  const auto psl = testing::pinned_psl();
  ASSERT_TRUE(psl);
  PslOrgDomainFinder finder(*psl);
  EXPECT_FALSE(is_external_destination("mail.example.com",
                                       parse_report_uri("mailto:d@reports.example.com"), finder));
  EXPECT_TRUE(
      is_external_destination("example.com", parse_report_uri("mailto:d@example.net"), finder));
  EXPECT_TRUE(is_external_destination("example.com", parse_report_uri("https://example.com/x"),
                                      finder));  // no mailto domain to compare: verify
}

TEST(ExternalDestination, VerificationOutcomes) {
  dns::ZoneResolver zone;
  zone.add_txt("a.example._report._dmarc.reports.test", "v=DMARC1");
  zone.add_failure("b.example._report._dmarc.reports.test", dns::RecordType::txt,
                   dns::Outcome::servfail);
  zone.add_txt("c.example._report._dmarc.reports.test", "v=spf1 -all");
  zone.add_txt("d.example._report._dmarc.reports.test", "v=DMARC1");
  zone.add_truncation("d.example._report._dmarc.reports.test", dns::RecordType::txt);
  EXPECT_EQ(verify_external_destination("a.example", "reports.test", zone).status,
            ExternalAuthorization::authorized);
  EXPECT_EQ(verify_external_destination("b.example", "reports.test", zone).status,
            ExternalAuthorization::temperror);
  EXPECT_EQ(verify_external_destination("c.example", "reports.test", zone).status,
            ExternalAuthorization::not_authorized);
  const auto cut = verify_external_destination("d.example", "reports.test", zone);
  EXPECT_EQ(cut.status, ExternalAuthorization::not_authorized);  // a cut answer authorizes nothing
  EXPECT_NE(cut.reason.find("cut at a size bound"), std::string::npos) << cut.reason;
  EXPECT_EQ(verify_external_destination(std::string(200, 'a') + ".example",
                                        std::string(60, 'b') + ".test", zone)
                .status,
            ExternalAuthorization::not_authorized);
}

TEST(ExternalDestinationConformance, MailDmarcExternalReporting) {
  const auto table = testing::load_yaml("dmarc/mail-dmarc/mail-dmarc-cases.yaml");
  const auto psl = testing::pinned_psl();
  ASSERT_TRUE(psl);
  PslOrgDomainFinder finder(*psl);
  testing::SuiteTally tally("mail-dmarc external_reporting", {});
  for (const auto& c : table["external_reporting"]["cases"]) {
    const auto policy = c["policy_domain"].as<std::string>();
    const auto uri = c["uri"].as<std::string>();
    const bool external = is_external_destination(policy, parse_report_uri(uri), finder);
    tally.check(policy + " " + uri, external == c["external"].as<bool>(),
                external ? "external" : "internal");
  }
  // verify_external_reporting: three domains authorised at theartfarm.com, one overriding rua.
  testing::MockZoneResolver zone(table["rfc9989_mock_zone"]["lines"]);
  for (const char* domain : {"tnpi.net", "cadillac.net", "mail-dmarc.tnpi.net"}) {
    const auto v = verify_external_destination(domain, "theartfarm.com", zone);
    bool ok = v.status == ExternalAuthorization::authorized;
    if (std::string(domain) == "mail-dmarc.tnpi.net") {
      ok = ok && v.override_rua.uris.size() == 1 &&
           v.override_rua.uris[0].address == "invalid-test@theartfarm.com";
    } else {
      ok = ok && v.override_rua.uris.empty();
    }
    tally.check(std::string("verify ") + domain, ok, v.reason);
  }
  const auto other = verify_external_destination("example.org", "theartfarm.com", zone);
  tally.check("verify example.org (unlisted)",
              other.status == ExternalAuthorization::not_authorized, other.reason);
}

}  // namespace
}  // namespace authmilter::dmarc
