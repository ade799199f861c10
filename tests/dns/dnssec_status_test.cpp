// Tests for Answer::dnssec outside libunbound: ZoneResolver produces each status on demand, and
// BudgetedResolver and AnswerCache hand it on unchanged (DKIM and ARC key checks read it there).
#include "dns/dnssec_status.h"

#include <gtest/gtest.h>

#include <chrono>

#include "dns/answer_cache.h"
#include "dns/budgeted_resolver.h"
#include "dns/zone_resolver.h"
#include "outcome_printer.h"

namespace authmilter::dns {
namespace {

constexpr int kTxt = 16;

void fill_signed_zone(ZoneResolver& zone) {
  zone.add_txt("secure.example.test", "v=DKIM1; p=AAAA");
  zone.add_txt("insecure.example.test", "v=DKIM1; p=BBBB");
  zone.add_txt("bogus.example.test", "v=DKIM1; p=CCCC");
  zone.add_txt("plain.example.test", "v=DKIM1; p=DDDD");
  zone.set_dnssec("secure.example.test", DnssecStatus::secure);
  zone.set_dnssec("insecure.example.test", DnssecStatus::insecure);
  zone.set_dnssec("bogus.example.test", DnssecStatus::bogus);
}

TEST(DnssecStatusTest, NamesAsTheyAppearInComments) {
  EXPECT_STREQ(to_string(DnssecStatus::unvalidated), "unvalidated");
  EXPECT_STREQ(to_string(DnssecStatus::secure), "secure");
  EXPECT_STREQ(to_string(DnssecStatus::insecure), "insecure");
  EXPECT_STREQ(to_string(DnssecStatus::bogus), "bogus");
}

TEST(DnssecStatusTest, ZoneResolverGivesEachStatus) {
  ZoneResolver zone;
  fill_signed_zone(zone);
  const TxtAnswer secure = zone.lookup_txt("Secure.Example.Test.");
  EXPECT_EQ(secure.outcome, Outcome::ok);
  EXPECT_EQ(secure.dnssec, DnssecStatus::secure);
  EXPECT_EQ(zone.lookup_txt("insecure.example.test").dnssec, DnssecStatus::insecure);
  EXPECT_EQ(zone.lookup_txt("plain.example.test").dnssec, DnssecStatus::unvalidated);
  // Bogus: servfail without records, as UnboundResolver answers it.
  const TxtAnswer bogus = zone.lookup_txt("bogus.example.test");
  EXPECT_EQ(bogus.outcome, Outcome::servfail);
  EXPECT_TRUE(bogus.records.empty());
  EXPECT_EQ(bogus.dnssec, DnssecStatus::bogus);
}

TEST(DnssecStatusTest, ZoneResolverDefaultAndNegativeAnswers) {
  ZoneResolver zone;
  fill_signed_zone(zone);
  zone.set_default_dnssec(DnssecStatus::insecure);
  EXPECT_EQ(zone.lookup_txt("plain.example.test").dnssec, DnssecStatus::insecure);
  EXPECT_EQ(zone.lookup_txt("secure.example.test").dnssec, DnssecStatus::secure);
  // A proven NXDOMAIN, without creating the name.
  zone.set_dnssec("missing.example.test", DnssecStatus::secure);
  const TxtAnswer missing = zone.lookup_txt("missing.example.test");
  EXPECT_EQ(missing.outcome, Outcome::nxdomain);
  EXPECT_EQ(missing.dnssec, DnssecStatus::secure);
  // A failed lookup was never validated.
  zone.add_failure("secure.example.test", RecordType::txt, Outcome::timeout);
  EXPECT_EQ(zone.lookup_txt("secure.example.test").dnssec, DnssecStatus::unvalidated);
}

TEST(DnssecStatusTest, BudgetedResolverPassesItOn) {
  ZoneResolver zone;
  fill_signed_zone(zone);
  BudgetedResolver budgeted(zone, std::chrono::milliseconds(1000));
  EXPECT_EQ(budgeted.lookup_txt("secure.example.test").dnssec, DnssecStatus::secure);
  EXPECT_EQ(budgeted.lookup_txt("insecure.example.test").dnssec, DnssecStatus::insecure);
  const TxtAnswer bogus = budgeted.lookup_txt("bogus.example.test");
  EXPECT_EQ(bogus.outcome, Outcome::servfail);
  EXPECT_EQ(bogus.dnssec, DnssecStatus::bogus);
}

TEST(DnssecStatusTest, AnswerCacheKeepsItWithTheAnswer) {
  AnswerCache cache;
  TxtAnswer secure;
  secure.outcome = Outcome::ok;
  secure.records = {"v=DKIM1; p=AAAA"};
  secure.dnssec = DnssecStatus::secure;
  cache.store(kTxt, "secure.example.test", secure, 300);
  TxtAnswer proven_absent;
  proven_absent.outcome = Outcome::nxdomain;
  proven_absent.dnssec = DnssecStatus::insecure;
  cache.store(kTxt, "absent.example.test", proven_absent, 300);
  TxtAnswer bogus;
  bogus.outcome = Outcome::servfail;
  bogus.dnssec = DnssecStatus::bogus;
  cache.store(kTxt, "bogus.example.test", bogus, 300);

  const auto hit = cache.find<TxtAnswer>(kTxt, "secure.example.test");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->dnssec, DnssecStatus::secure);
  const auto absent = cache.find<TxtAnswer>(kTxt, "absent.example.test");
  ASSERT_TRUE(absent.has_value());
  EXPECT_EQ(absent->dnssec, DnssecStatus::insecure);
  // Bogus is servfail: never cached, asked again next time (libunbound keeps its own bogus cache).
  EXPECT_FALSE(cache.find<TxtAnswer>(kTxt, "bogus.example.test").has_value());
}

}  // namespace
}  // namespace authmilter::dns
