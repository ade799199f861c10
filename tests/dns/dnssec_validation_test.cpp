// Real DNSSEC validation by our UnboundResolver: a zone signed at test time (ldns-signzone) is
// served by a test unbound on loopback (auth-zone, no validation there), our libunbound context
// forwards to it with the zone's DS as trust anchor. Secure, bogus (a record changed after
// signing), proven NXDOMAIN and insecure (a zone outside the anchor) answers, and the same zone
// read without a trust anchor (all unvalidated, the forged record served as it is).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dns/unbound_resolver.h"
#include "outcome_printer.h"
#include "signed_zone_support.h"
#include "test_unbound_support.h"

namespace authmilter::dns {
namespace {

using testing::ForgedRecord;
using testing::SignedZone;
using testing::TestUnbound;

constexpr char kZone[] = R"($ORIGIN signed.test.
$TTL 300
@ IN SOA ns.signed.test. host.signed.test. 1 3600 600 86400 300
@ IN NS ns.signed.test.
ns IN A 127.0.0.1
good._domainkey IN TXT "v=DKIM1; p=good"
bad._domainkey IN TXT "v=DKIM1; p=bad"
)";

class DnssecValidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto zone = SignedZone::create(
        "signed.test.", kZone, {ForgedRecord{"bad._domainkey.signed.test.", "p=bad", "p=forged"}});
    ASSERT_TRUE(zone) << zone.error();
    zone_ = std::move(*zone);
    auto server = TestUnbound::start(
        {
            // The signed zone comes from the auth-zone below; "." refuse must not catch it.
            R"(local-zone: "signed.test." transparent)",
            // An unsigned zone that no trust anchor covers.
            R"(local-zone: "plain.test." static)",
            R"(local-data: "plain.test. 300 IN SOA ns.plain.test. host.plain.test. 1 3600 600 86400 300")",
            R"(local-data: 'k._domainkey.plain.test. TXT "v=DKIM1; p=plain"')",
        },
        {zone_->auth_zone_section()});
    ASSERT_TRUE(server) << server.error();
    server_ = std::move(*server);
  }

  std::unique_ptr<UnboundResolver> resolver(bool with_anchor) {
    ResolverOptions options;
    options.forwarders = {server_->forwarder()};
    options.query_timeout = std::chrono::milliseconds(3000);
    options.unblock_local_zones = {"test."};
    if (with_anchor) options.trust_anchor_file = zone_->anchor_file();
    auto created = UnboundResolver::create(options);
    EXPECT_TRUE(created) << created.error();
    return created ? std::move(*created) : nullptr;
  }

  std::unique_ptr<SignedZone> zone_;
  std::unique_ptr<TestUnbound> server_;
};

TEST_F(DnssecValidationTest, TrustAnchorGivesSecureBogusAndInsecure) {
  auto validating = resolver(true);
  ASSERT_NE(validating, nullptr);
  const TxtAnswer good = validating->lookup_txt("good._domainkey.signed.test");
  EXPECT_EQ(good.outcome, Outcome::ok) << server_->log();
  EXPECT_EQ(good.records, std::vector<std::string>{"v=DKIM1; p=good"});
  EXPECT_EQ(good.dnssec, DnssecStatus::secure);

  const TxtAnswer bad = validating->lookup_txt("bad._domainkey.signed.test");
  EXPECT_EQ(bad.outcome, Outcome::servfail);  // SPF and DMARC keep seeing a temporary failure
  EXPECT_TRUE(bad.records.empty());
  EXPECT_EQ(bad.dnssec, DnssecStatus::bogus);

  const TxtAnswer missing = validating->lookup_txt("missing._domainkey.signed.test");
  EXPECT_EQ(missing.outcome, Outcome::nxdomain);
  EXPECT_EQ(missing.dnssec, DnssecStatus::secure);  // NSEC proves it

  const TxtAnswer plain = validating->lookup_txt("k._domainkey.plain.test");
  EXPECT_EQ(plain.outcome, Outcome::ok);
  EXPECT_EQ(plain.records, std::vector<std::string>{"v=DKIM1; p=plain"});
  EXPECT_EQ(plain.dnssec, DnssecStatus::insecure);

  // From the answer cache: the same status (the bogus one is asked again, never cached).
  EXPECT_EQ(validating->lookup_txt("good._domainkey.signed.test").dnssec, DnssecStatus::secure);
  EXPECT_EQ(validating->lookup_txt("bad._domainkey.signed.test").dnssec, DnssecStatus::bogus);
  EXPECT_GE(validating->cache_stats().hits, 1u);
}

TEST_F(DnssecValidationTest, WithoutTrustAnchorNothingIsValidated) {
  auto plain = resolver(false);
  ASSERT_NE(plain, nullptr);
  const TxtAnswer good = plain->lookup_txt("good._domainkey.signed.test");
  EXPECT_EQ(good.outcome, Outcome::ok);
  EXPECT_EQ(good.dnssec, DnssecStatus::unvalidated);
  // The forged record is served as it is: only validation tells it apart.
  const TxtAnswer bad = plain->lookup_txt("bad._domainkey.signed.test");
  EXPECT_EQ(bad.outcome, Outcome::ok);
  EXPECT_EQ(bad.records, std::vector<std::string>{"v=DKIM1; p=forged"});
  EXPECT_EQ(bad.dnssec, DnssecStatus::unvalidated);
}

}  // namespace
}  // namespace authmilter::dns
