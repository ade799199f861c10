// DkimVerifier and the key answer's DNSSEC status (DkimResult::key_dnssec): each status the
// resolver can give, served by ZoneResolver, and a bogus key treated as no key, never temperror.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "dkim/dkim_verifier.h"
#include "dkim_test_support.h"
#include "dns/budgeted_resolver.h"

namespace authmilter::dkim::testing {
namespace {

constexpr char kKeyName[] = "brisbane._domainkey.example.com";

class KeyDnssecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    library_ = make_library();
    ASSERT_NE(library_, nullptr);
    load_tab_records(zone_, data_path("rfc6376/dns-records.txt"));
    message_ = read_file(data_path("rfc6376/rfc6376-a2-signed.eml"));
  }
  DkimResult verify_one(dns::Resolver& resolver) {
    const auto results = verify_message(*library_, resolver, message_, 64);
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? DkimResult{} : results[0];
  }

  std::unique_ptr<DkimLibrary> library_;
  dns::ZoneResolver zone_;
  std::string message_;
};

TEST_F(KeyDnssecTest, WithoutATrustAnchorTheKeyIsUnvalidated) {
  const DkimResult result = verify_one(zone_);
  EXPECT_EQ(result.code, DkimCode::pass);
  EXPECT_EQ(result.key_dnssec, dns::DnssecStatus::unvalidated);
}

TEST_F(KeyDnssecTest, SecureAndInsecureKeysVerifyAndSaySo) {
  for (const dns::DnssecStatus status : {dns::DnssecStatus::secure, dns::DnssecStatus::insecure}) {
    zone_.set_dnssec(kKeyName, status);
    const DkimResult result = verify_one(zone_);
    EXPECT_EQ(result.code, DkimCode::pass) << dns::to_string(status) << ": " << result.reason;
    EXPECT_EQ(result.key_dnssec, status);
    EXPECT_EQ(result.key_bits, 1024u);
  }
}

// A bogus answer is servfail for everyone else (temperror for SPF and DMARC); for a key it is the
// same permerror as NXDOMAIN, since a forged or broken key will not turn valid on a retry.
TEST_F(KeyDnssecTest, BogusKeyIsNoKey) {
  dns::ZoneResolver empty;  // NXDOMAIN: what the code gives for no key
  const DkimResult missing = verify_one(empty);
  ASSERT_EQ(missing.code, DkimCode::permerror);
  ASSERT_EQ(missing.reason, "no key");

  zone_.set_dnssec(kKeyName, dns::DnssecStatus::bogus);
  const DkimResult bogus = verify_one(zone_);
  EXPECT_EQ(bogus.code, missing.code);
  EXPECT_EQ(bogus.reason, "no key (DNSSEC bogus)");
  EXPECT_EQ(bogus.reason, kBogusKeyReason);
  EXPECT_EQ(bogus.key_dnssec, dns::DnssecStatus::bogus);
  EXPECT_EQ(bogus.key_bits, 0u);

  // The same through the per-message budget, as the milter asks.
  dns::BudgetedResolver budgeted(zone_, std::chrono::milliseconds(5000));
  const DkimResult through_budget = verify_one(budgeted);
  EXPECT_EQ(through_budget.code, DkimCode::permerror);
  EXPECT_EQ(through_budget.key_dnssec, dns::DnssecStatus::bogus);
}

TEST_F(KeyDnssecTest, ProvenMissingKeyKeepsItsStatus) {
  dns::ZoneResolver empty;
  empty.set_default_dnssec(dns::DnssecStatus::secure);  // a signed NXDOMAIN
  const DkimResult result = verify_one(empty);
  EXPECT_EQ(result.code, DkimCode::permerror);
  EXPECT_EQ(result.reason, "no key");
  EXPECT_EQ(result.key_dnssec, dns::DnssecStatus::secure);
}

TEST_F(KeyDnssecTest, OtherServfailStaysTemperrorAndUnvalidated) {
  zone_.set_default_dnssec(dns::DnssecStatus::insecure);
  zone_.add_failure(kKeyName, dns::RecordType::txt, dns::Outcome::servfail);
  const DkimResult result = verify_one(zone_);
  EXPECT_EQ(result.code, DkimCode::temperror);
  EXPECT_EQ(result.key_dnssec, dns::DnssecStatus::unvalidated);
}

}  // namespace
}  // namespace authmilter::dkim::testing
