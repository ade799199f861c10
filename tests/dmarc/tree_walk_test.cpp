#include "dmarc/tree_walk.h"

#include <gtest/gtest.h>

#include "conformance_support.h"
#include "dmarc/discovery.h"
#include "dns/zone_resolver.h"

namespace authmilter::dmarc {
namespace {

using Names = std::vector<std::string>;

TEST(TreeWalk, TargetsFollowTheEightQueryRule) {
  // RFC 9989 §4.10's own example.
  EXPECT_EQ(tree_walk_targets("a.b.c.d.e.f.g.h.i.j.mail.example.com"),
            (Names{"a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com",
                   "h.i.j.mail.example.com", "i.j.mail.example.com", "j.mail.example.com",
                   "mail.example.com", "example.com", "com"}));
  EXPECT_EQ(tree_walk_targets("a.mail.example.com"),
            (Names{"a.mail.example.com", "mail.example.com", "example.com", "com"}));
  EXPECT_EQ(tree_walk_targets("com"), Names{"com"});
  EXPECT_EQ(tree_walk_targets("1.2.3.4.5.6.7.8").size(), 8u);
  std::string deep = "x";
  for (int i = 0; i < 100; ++i) deep += ".x";
  EXPECT_EQ(tree_walk_targets(deep).size(), kMaxTreeWalkQueries);
}

TEST(TreeWalk, OrganizationalDomainRules) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.mail.example.com", "v=DMARC1; p=none");
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  zone.add_txt("_dmarc.psd.example", "v=DMARC1; psd=y; p=reject");
  zone.add_txt("_dmarc.unit.corp.example", "v=DMARC1; psd=n; p=none");
  zone.add_txt("_dmarc.corp.example", "v=DMARC1; p=reject");
  RecordSource source(zone, DmarcMode::rfc9989);
  // Rule 3: fewest labels among the records found.
  EXPECT_EQ(walk_tree("a.mail.example.com", source).org_domain, "example.com");
  // Rule 2: psd=y -> one label below, on the start's path (RFC 9989 §4.10.2 example).
  EXPECT_EQ(walk_tree("x.y.org.psd.example", source).org_domain, "org.psd.example");
  // psd=y at the start itself is not rule 2: the PSD is its own org domain.
  EXPECT_EQ(walk_tree("psd.example", source).org_domain, "psd.example");
  // Rule 1: psd=n stops the walk before corp.example is asked.
  const int before = source.queries();
  EXPECT_EQ(walk_tree("a.unit.corp.example", source).org_domain, "unit.corp.example");
  EXPECT_EQ(source.queries() - before, 2);
  // Rule 4: nothing anywhere.
  const auto none = walk_tree("www.nothing.test", source);
  EXPECT_EQ(none.org_domain, "www.nothing.test");
  EXPECT_FALSE(none.org_from_records);
}

TEST(TreeWalk, SeveralRecordsAtANameAreDiscarded) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.sub.example.com", "v=DMARC1; p=none");
  zone.add_txt("_dmarc.sub.example.com", "v=DMARC1; p=reject");
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=quarantine");
  RecordSource source(zone, DmarcMode::rfc9989);
  const auto walk = walk_tree("sub.example.com", source);
  EXPECT_EQ(walk.record_names, Names{"example.com"});
  const auto found = discover_policy_treewalk("sub.example.com", source);
  EXPECT_EQ(found.status, DiscoveryStatus::found);
  EXPECT_EQ(found.policy_domain, "example.com");
}

TEST(TreeWalk, DnsFailureIsTemporaryNeverNone) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  zone.add_failure("_dmarc.b.example.com", dns::RecordType::txt, dns::Outcome::timeout);
  RecordSource source(zone, DmarcMode::rfc9989);
  const auto walk = walk_tree("a.b.example.com", source);
  EXPECT_TRUE(walk.temporary_failure);
  EXPECT_NE(walk.reason.find("timeout"), std::string::npos);
  EXPECT_EQ(discover_policy_treewalk("a.b.example.com", source).status, DiscoveryStatus::temperror);
  TreeWalkOrgDomainFinder finder(source);
  EXPECT_TRUE(finder.find("a.b.example.com").temporary_failure);
}

TEST(TreeWalk, PolicyDiscoveryIgnoresRecordsBelowTheOrgDomain) {
  // RFC 9989 §4.10.1: author, then its Organizational Domain, then its PSD.
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.mail.example.com", "v=DMARC1; p=reject");
  zone.add_txt("_dmarc.com", "v=DMARC1; psd=y; p=quarantine");
  RecordSource source(zone, DmarcMode::rfc9989);
  const auto found = discover_policy_treewalk("a.mail.example.com", source);
  EXPECT_EQ(found.status, DiscoveryStatus::found);
  EXPECT_EQ(found.org_domain, "example.com");
  EXPECT_EQ(found.policy_domain, "com");  // the PSD record, not mail.example.com's
}

YAML::Node mail_dmarc() {
  return testing::load_yaml("dmarc/mail-dmarc/mail-dmarc-cases.yaml");
}

TEST(TreeWalkConformance, MailDmarcOrgDomainAndTreeWalk) {
  const auto table = mail_dmarc();
  testing::MockZoneResolver zone(table["rfc9989_mock_zone"]["lines"]);
  testing::SuiteTally tally("mail-dmarc rfc9989_org_domain+tree_walk", {});
  for (const auto& c : table["rfc9989_org_domain"]["cases"]) {
    RecordSource source(zone, DmarcMode::rfc9989);
    const auto domain = c["domain"].as<std::string>();
    const auto got = walk_tree(domain, source).org_domain;
    tally.check("org " + domain, got == c["expected"].as<std::string>(), got);
  }
  for (const auto& c : table["rfc9989_tree_walk"]["cases"]) {
    RecordSource source(zone, DmarcMode::rfc9989);
    const auto domain = c["domain"].as<std::string>();
    const auto walk = walk_tree(domain, source);
    const auto found = discover_policy_treewalk(domain, source);
    bool ok = true;
    std::string detail = "org " + walk.org_domain + ", policy at " + found.policy_domain;
    if (c["org"].IsNull()) {
      ok = !walk.org_from_records;
    } else {
      ok = walk.org_domain == c["org"].as<std::string>();
    }
    if (c["record_found"]) {
      ok = ok && (found.status == DiscoveryStatus::found) == c["record_found"].as<bool>();
    }
    if (c["at"]) ok = ok && found.policy_domain == c["at"].as<std::string>();
    tally.check("walk " + domain, ok, detail);
  }
}

}  // namespace
}  // namespace authmilter::dmarc
