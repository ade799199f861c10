#include "dmarc/evaluate.h"

#include <gtest/gtest.h>

#include "conformance_support.h"
#include "dmarc/record_lookup.h"
#include "dns/zone_resolver.h"

namespace authmilter::dmarc {
namespace {

DmarcInput spf_input(const std::string& from, const std::string& spf_domain, bool pass = true) {
  DmarcInput input;
  input.from_domain = from;
  input.spf_domain = spf_domain;
  input.spf_pass = pass;
  return input;
}

DmarcOptions rfc7489_options(int sample = 0) {
  DmarcOptions options;
  options.mode = DmarcMode::rfc7489;
  options.psl = testing::pinned_psl();
  options.sampler = [sample] { return sample; };
  return options;
}

TEST(Evaluate, PassFailAndNone) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine");
  zone.add_txt("_dmarc.example.com", "some other TXT");
  const auto pass = evaluate_dmarc(spf_input("mail.example.com", "bounce.example.com"), zone, {});
  EXPECT_EQ(pass.code, DmarcCode::pass) << pass.reason;
  EXPECT_TRUE(pass.spf_aligned);
  EXPECT_EQ(pass.requested, Disposition::none);
  EXPECT_EQ(pass.org_domain, "example.com");
  EXPECT_EQ(pass.policy_source, PolicySource::sp);
  const auto fail = evaluate_dmarc(spf_input("example.com", "evil.example"), zone, {});
  EXPECT_EQ(fail.code, DmarcCode::fail);
  EXPECT_EQ(fail.requested, Disposition::reject);
  EXPECT_EQ(fail.policy_domain, "example.com");
  EXPECT_EQ(fail.discovery, DiscoveryMethod::treewalk);
  const auto none = evaluate_dmarc(spf_input("example.net", "example.net"), zone, {});
  EXPECT_EQ(none.code, DmarcCode::none);
  EXPECT_FALSE(none.record.has_value());
}

TEST(Evaluate, SpfPassWithoutAlignmentAndDkimAlignment) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=quarantine; adkim=s");
  DmarcInput input = spf_input("example.com", "example.com", false);
  input.dkim_pass_domains = {"other.example", "mail.example.com", "EXAMPLE.com"};
  const auto result = evaluate_dmarc(input, zone, {});
  EXPECT_EQ(result.code, DmarcCode::pass);
  EXPECT_FALSE(result.spf_aligned);  // SPF did not pass
  EXPECT_TRUE(result.dkim_aligned);
  EXPECT_EQ(result.aligned_dkim_domain, "example.com");  // strict: only the identical d=
}

TEST(Evaluate, DnsFailuresAreTemperrorNeverPass) {
  dns::ZoneResolver zone;
  zone.add_failure("_dmarc.example.com", dns::RecordType::txt, dns::Outcome::servfail);
  const auto discovery = evaluate_dmarc(spf_input("example.com", "example.com"), zone, {});
  EXPECT_EQ(discovery.code, DmarcCode::temperror);
  dns::ZoneResolver walk;
  walk.add_txt("_dmarc.a.example.org", "v=DMARC1; p=reject");
  walk.add_failure("_dmarc.example.org", dns::RecordType::txt, dns::Outcome::timeout);
  const auto relaxed = evaluate_dmarc(spf_input("a.example.org", "b.example.org"), walk, {});
  EXPECT_EQ(relaxed.code, DmarcCode::temperror) << relaxed.reason;
  EXPECT_EQ(relaxed.requested, Disposition::none);
}

TEST(Evaluate, UnusableRecordIsPermerrorAndMalformedAuthor) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=bogus");
  const auto bad = evaluate_dmarc(spf_input("example.com", "example.com"), zone, {});
  EXPECT_EQ(bad.code, DmarcCode::permerror);
  EXPECT_NE(bad.reason.find("'p'"), std::string::npos);
  EXPECT_EQ(evaluate_dmarc(spf_input("exa mple..com", "x"), zone, {}).code, DmarcCode::permerror);
  EXPECT_EQ(evaluate_dmarc(spf_input("", "x"), zone, {}).code, DmarcCode::none);
}

TEST(Evaluate, TxtAnswerCutAtASizeBoundIsPermerrorInBothModes) {
  // A whole-looking p=none record in an answer a resolver bound cut: a dropped string could be
  // a second DMARC record (or this one could be longer), so it is not applied, nor read as
  // "no record".
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=none");
  zone.add_truncation("_dmarc.example.com", dns::RecordType::txt);
  const auto input = spf_input("example.com", "example.com");
  for (const DmarcOptions& options : {DmarcOptions{}, rfc7489_options()}) {
    const auto cut = evaluate_dmarc(input, zone, options);
    EXPECT_EQ(cut.code, DmarcCode::permerror) << cut.reason;
    EXPECT_NE(cut.reason.find("cut at a size bound"), std::string::npos) << cut.reason;
  }
  // Found by the tree walk above the author: the same.
  const auto walked = evaluate_dmarc(spf_input("a.b.example.com", "evil.example"), zone, {});
  EXPECT_EQ(walked.code, DmarcCode::permerror) << walked.reason;
  EXPECT_EQ(walked.requested, Disposition::none);
}

TEST(Evaluate, MultipleRecordsDependOnMode) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.sub.example.com", "v=DMARC1; p=none");
  zone.add_txt("_dmarc.sub.example.com", "v=DMARC1; p=none");
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  const auto input = spf_input("sub.example.com", "evil.example");
  const auto bis = evaluate_dmarc(input, zone, {});
  EXPECT_EQ(bis.code, DmarcCode::fail);  // RFC 9989: discarded, the walk goes on
  EXPECT_EQ(bis.policy_domain, "example.com");
  const auto old = evaluate_dmarc(input, zone, rfc7489_options());
  EXPECT_EQ(old.code, DmarcCode::none);  // RFC 7489 §6.6.3 step 5: discovery ends
  EXPECT_NE(old.reason.find("2 DMARC records"), std::string::npos);
}

TEST(Evaluate, PctSamplingInRfc7489ModeOnly) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=30; t=y");
  const auto input = spf_input("example.com", "evil.example");
  EXPECT_EQ(evaluate_dmarc(input, zone, rfc7489_options(29)).requested, Disposition::reject);
  const auto sampled_out = evaluate_dmarc(input, zone, rfc7489_options(30));
  EXPECT_EQ(sampled_out.requested, Disposition::quarantine);
  EXPECT_EQ(sampled_out.published, Disposition::reject);
  EXPECT_EQ(sampled_out.discovery, DiscoveryMethod::psl);
  // RFC 9989 mode ignores pct but honours t=y.
  DmarcOptions bis;
  bis.sampler = [] { return 99; };
  EXPECT_EQ(evaluate_dmarc(input, zone, bis).requested, Disposition::quarantine);
}

TEST(Evaluate, PslOrgDomainInRfc7489Mode) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.example.co.uk", "v=DMARC1; p=reject; sp=none");
  zone.add_txt("_dmarc.b.example.co.uk", "v=DMARC1; p=quarantine");
  const auto result =
      evaluate_dmarc(spf_input("a.b.example.co.uk", "x.example"), zone, rfc7489_options());
  EXPECT_EQ(result.policy_domain, "example.co.uk");  // RFC 7489 skips intermediate names
  EXPECT_EQ(result.org_domain, "example.co.uk");
  EXPECT_EQ(result.policy_source, PolicySource::sp);
  EXPECT_EQ(result.requested, Disposition::none);
  EXPECT_EQ(result.dns_queries, 2);
  DmarcOptions broken;
  broken.mode = DmarcMode::rfc7489;
  broken.psl_path = "/nonexistent/list.dat";
  EXPECT_EQ(evaluate_dmarc(spf_input("example.co.uk", "x"), zone, broken).code,
            DmarcCode::temperror);
}

TEST(Evaluate, NonExistentSubdomainAndUnknownExistence) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject");
  zone.add_name("real.example.com");
  zone.add_failure("flaky.example.com", dns::RecordType::a, dns::Outcome::servfail);
  zone.add_failure("flaky.example.com", dns::RecordType::aaaa, dns::Outcome::servfail);
  zone.add_failure("flaky.example.com", dns::RecordType::mx, dns::Outcome::timeout);
  const auto from = [&](const char* d) { return evaluate_dmarc(spf_input(d, "x.test"), zone, {}); };
  EXPECT_EQ(from("ghost.example.com").requested, Disposition::reject);
  EXPECT_EQ(from("ghost.example.com").policy_source, PolicySource::np);
  EXPECT_EQ(from("real.example.com").requested, Disposition::quarantine);
  EXPECT_EQ(from("example.com").requested, Disposition::none);
  EXPECT_EQ(from("flaky.example.com").requested, Disposition::reject);  // stricter when unsure
}

TEST(Evaluate, LongAuthorDomainCostsAtMostEightQueries) {
  dns::ZoneResolver zone;
  std::string deep = "example.com";
  for (int i = 0; i < 60; ++i) deep = "x" + std::to_string(i) + "." + deep;
  const auto result = evaluate_dmarc(spf_input(deep, deep), zone, {});
  EXPECT_EQ(result.code, DmarcCode::none);
  EXPECT_LE(result.dns_queries, 8);
  EXPECT_LE(zone.lookup_count(), 8);
}

TEST(Evaluate, StrictestResultPrefersFailWithTheStrongestPolicy) {
  DmarcResult pass, none, quarantine, reject;
  pass.code = DmarcCode::pass;
  none.code = DmarcCode::none;
  quarantine.code = reject.code = DmarcCode::fail;
  quarantine.requested = Disposition::quarantine;
  reject.requested = Disposition::reject;
  EXPECT_EQ(strictest_result({pass, quarantine, reject, none}).requested, Disposition::reject);
  EXPECT_EQ(strictest_result({pass, none}).code, DmarcCode::none);
  EXPECT_EQ(strictest_result({}).code, DmarcCode::none);
}

// Mail::DMARC t/04.PurePerl.t validate() cases over the RFC 9989 mock zone.
TEST(EvaluateConformance, MailDmarcRfc9989Disposition) {
  const auto table = testing::load_yaml("dmarc/mail-dmarc/mail-dmarc-cases.yaml");
  testing::SuiteTally tally(
      "mail-dmarc rfc9989_disposition",
      {{"invalid-sp-and-without-rua.example.com",
        "RFC 9989 §4.10.1 applies no DMARC processing; we report that as permerror "
        "(RFC 9989 IANA registry: 'syntactically incorrect DMARC record'), Mail::DMARC as "
        "none; no policy is applied either way"}});
  for (const auto& c : table["rfc9989_disposition"]["cases"]) {
    testing::MockZoneResolver zone(table["rfc9989_mock_zone"]["lines"]);
    const auto from = c["header_from"].as<std::string>();
    if (c["nonexistent_subdomain"]) zone.mark_nonexistent(from);
    const bool own_spf = c["spf_pass_domain"].IsDefined();
    const auto result =
        evaluate_dmarc(spf_input(from, own_spf ? from : "unrelated.example.com"), zone, {});
    bool ok = true;
    if (c["expected_result"]) ok = to_string(result.code) == c["expected_result"].as<std::string>();
    if (c["expected_disposition"]) {
      ok = ok && to_string(result.requested) == c["expected_disposition"].as<std::string>();
    }
    if (c["expected_published_p"]) {
      ok = ok && result.record &&
           to_string(result.record->policy()) == c["expected_published_p"].as<std::string>();
    }
    tally.check(from, ok,
                std::string(to_string(result.code)) + "/" + to_string(result.requested) + ": " +
                    result.reason);
  }
  // The alignment table's last case is a full validate() against _dmarc.tnpi.net.
  testing::MockZoneResolver zone(table["rfc9989_mock_zone"]["lines"]);
  DmarcInput tnpi = spf_input("tnpi.net", "tnpi.net");
  const auto result = evaluate_dmarc(tnpi, zone, {});
  tally.check("validate tnpi.net",
              result.code == DmarcCode::pass && result.spf_aligned && !result.dkim_aligned &&
                  result.record && result.record->policy() == Disposition::reject,
              result.reason);
}

}  // namespace
}  // namespace authmilter::dmarc

namespace authmilter::dmarc {
namespace {

TEST(Evaluate, QueryBudgetBoundsHostileDkimDomains) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  DmarcInput input;
  input.from_domain = "example.com";
  for (int i = 0; i < 40; ++i) {
    input.dkim_pass_domains.push_back("a.b.c.d.e.f.g.h" + std::to_string(i) + ".com");
  }
  const auto result = evaluate_dmarc(input, zone, {});
  EXPECT_LE(zone.lookup_count(), kMaxDmarcQueriesPerMessage);
  // None of them is within example.com, so none is looked up: a plain fail, not a temperror
  // that an attacker could choose to make (temperror is accepted by default).
  EXPECT_EQ(result.code, DmarcCode::fail) << result.reason;
  EXPECT_LE(zone.lookup_count(), 8);
}

// The attacker's own DNS failing must not turn the spoofed author's fail into temperror.
TEST(Evaluate, AForeignIdentifiersDnsFailureCannotMakeATemperror) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.victim.com", "v=DMARC1; p=reject");
  zone.add_failure("_dmarc.attacker.com", dns::RecordType::txt, dns::Outcome::servfail);
  zone.add_failure("_dmarc.mail.attacker.com", dns::RecordType::txt, dns::Outcome::timeout);
  DmarcInput input;
  input.from_domain = "victim.com";
  input.spf_pass = true;
  input.spf_domain = "attacker.com";
  input.dkim_pass_domains = {"mail.attacker.com"};
  const auto result = evaluate_dmarc(input, zone, {});
  EXPECT_EQ(result.code, DmarcCode::fail) << result.reason;
  EXPECT_EQ(result.requested, Disposition::reject);
  // Within the author's org domain a failure still makes the answer undetermined.
  zone.add_failure("_dmarc.sub.victim.com", dns::RecordType::txt, dns::Outcome::servfail);
  input.spf_domain = "sub.victim.com";
  input.dkim_pass_domains.clear();
  EXPECT_EQ(evaluate_dmarc(input, zone, {}).code, DmarcCode::temperror);
}

// Chaos run (issue 20): while the DNS was down, the author's own signed mail got
// spf=temperror dkim=temperror, the DMARC record still came from the cache, and the message was
// refused 550 for dmarc=fail. An aligned identifier that could not be checked makes the result
// temperror; an unaligned one cannot.
TEST(Evaluate, AnAlignedIdentifiersTemperrorIsNotAFail) {
  dns::ZoneResolver zone;
  zone.add_txt("_dmarc.author.example", "v=DMARC1; p=reject");
  DmarcInput input;
  input.from_domain = "author.example";
  input.spf_domain = "author.example";
  input.spf_temperror = true;
  const auto spf = evaluate_dmarc(input, zone, {});
  EXPECT_EQ(spf.code, DmarcCode::temperror) << spf.reason;
  EXPECT_EQ(spf.requested, Disposition::none);
  EXPECT_NE(spf.reason.find("SPF temperror"), std::string::npos) << spf.reason;

  input.spf_temperror = false;
  input.spf_domain = "relay.example";
  input.spf_pass = true;  // passes, but not aligned
  input.dkim_temperror_domains = {"other.example", "mail.author.example"};  // relaxed: aligned
  const auto dkim = evaluate_dmarc(input, zone, {});
  EXPECT_EQ(dkim.code, DmarcCode::temperror) << dkim.reason;
  EXPECT_NE(dkim.reason.find("d=mail.author.example"), std::string::npos) << dkim.reason;

  // Temperrors of identifiers that would not align leave the fail, and a pass still wins.
  input.dkim_temperror_domains = {"other.example"};
  input.spf_temperror = true;  // of relay.example, which passed anyway: not aligned
  const auto unaligned = evaluate_dmarc(input, zone, {});
  EXPECT_EQ(unaligned.code, DmarcCode::fail) << unaligned.reason;
  EXPECT_EQ(unaligned.requested, Disposition::reject);
  input.dkim_pass_domains = {"author.example"};
  input.dkim_temperror_domains = {"author.example"};
  EXPECT_EQ(evaluate_dmarc(input, zone, {}).code, DmarcCode::pass);
}

}  // namespace
}  // namespace authmilter::dmarc
