// DKIM keys through a validating UnboundResolver, end to end: RFC 6376's example key served from
// a zone signed at test time (ldns-signzone) by a test unbound on loopback, the zone's DS as our
// trust anchor. A secure key verifies and says so; the same key changed after signing is bogus
// and the signature gets the "no key" permerror, not temperror.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "dkim/dkim_verifier.h"
#include "dkim_test_support.h"
#include "dns/unbound_resolver.h"
#include "signed_zone_support.h"
#include "test_unbound_support.h"

namespace authmilter::dkim::testing {
namespace {

using authmilter::testing::ForgedRecord;
using authmilter::testing::SignedZone;
using authmilter::testing::TestUnbound;

std::string key_zone(const std::string& key_record) {
  return "$ORIGIN example.com.\n$TTL 300\n"
         "@ IN SOA ns.example.com. host.example.com. 1 3600 600 86400 300\n"
         "@ IN NS ns.example.com.\nns IN A 127.0.0.1\n"
         "brisbane._domainkey IN TXT \"" +
         key_record + "\"\n";
}

struct ValidatingSetup {
  std::unique_ptr<SignedZone> zone;
  std::unique_ptr<TestUnbound> server;
  std::unique_ptr<dns::UnboundResolver> resolver;
};

// The key zone, with `forged` applied after signing, served and validated.
void start(ValidatingSetup& setup, const std::vector<ForgedRecord>& forged) {
  const auto rows = read_tsv(data_path("rfc6376/dns-records.txt"));
  ASSERT_EQ(rows.size(), 1u);
  auto zone = SignedZone::create("example.com.", key_zone(rows[0][1]), forged);
  ASSERT_TRUE(zone) << zone.error();
  setup.zone = std::move(*zone);
  auto server = TestUnbound::start({R"(local-zone: "example.com." transparent)"},
                                   {setup.zone->auth_zone_section()});
  ASSERT_TRUE(server) << server.error();
  setup.server = std::move(*server);
  dns::ResolverOptions options;
  options.forwarders = {setup.server->forwarder()};
  options.query_timeout = std::chrono::milliseconds(3000);
  options.trust_anchor_file = setup.zone->anchor_file();
  auto resolver = dns::UnboundResolver::create(options);
  ASSERT_TRUE(resolver) << resolver.error();
  setup.resolver = std::move(*resolver);
}

TEST(KeyDnssecUnbound, SecureKeyVerifies) {
  ValidatingSetup setup;
  ASSERT_NO_FATAL_FAILURE(start(setup, {}));
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  const auto results = verify_message(*library, *setup.resolver,
                                      read_file(data_path("rfc6376/rfc6376-a2-signed.eml")), 64);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::pass) << results[0].reason << setup.server->log();
  EXPECT_EQ(results[0].key_dnssec, dns::DnssecStatus::secure);
  EXPECT_EQ(results[0].key_bits, 1024u);
}

TEST(KeyDnssecUnbound, KeyChangedAfterSigningIsBogusAndNoKey) {
  ValidatingSetup setup;
  // An added n= (notes) tag keeps the record usable: only the broken signature rejects it.
  ASSERT_NO_FATAL_FAILURE(start(
      setup, {ForgedRecord{"brisbane._domainkey.example.com.", "v=DKIM1;", "v=DKIM1; n=x;"}}));
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  const auto results = verify_message(*library, *setup.resolver,
                                      read_file(data_path("rfc6376/rfc6376-a2-signed.eml")), 64);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::permerror);
  EXPECT_EQ(results[0].reason, kBogusKeyReason);
  EXPECT_EQ(results[0].key_dnssec, dns::DnssecStatus::bogus);

  // Without the trust anchor the changed record is an ordinary, working key.
  dns::ResolverOptions options;
  options.forwarders = {setup.server->forwarder()};
  options.query_timeout = std::chrono::milliseconds(3000);
  auto unvalidated = dns::UnboundResolver::create(options);
  ASSERT_TRUE(unvalidated) << unvalidated.error();
  const auto plain = verify_message(*library, **unvalidated,
                                    read_file(data_path("rfc6376/rfc6376-a2-signed.eml")), 64);
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].code, DkimCode::pass) << plain[0].reason;
  EXPECT_EQ(plain[0].key_dnssec, dns::DnssecStatus::unvalidated);
}

}  // namespace
}  // namespace authmilter::dkim::testing
