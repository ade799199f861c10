// check_host_test.cpp - check_mail_from()/check_helo() end to end over a ZoneResolver:
// identities, reasons, limits, DNS failures and hostile zone data, for both engines.
#include <gtest/gtest.h>

#include <string>

#include "dns/zone_resolver.h"
#include "spf/record.h"
#include "spf/spf.h"

namespace authmilter::spf {
namespace {

net::IpAddress ip(const char* text) {
  return *net::IpAddress::parse(text);
}

class SpfCheck : public ::testing::Test {
 protected:
  SpfResult mail_from(const char* sender, const char* client = "192.0.2.10",
                      const char* helo = "mx.example.org") {
    return check_mail_from({ip(client), helo, sender}, zone, options);
  }
  dns::ZoneResolver zone;
  SpfOptions options;
};

TEST_F(SpfCheck, PassWithSpecificReasonAndLookupCount) {
  zone.add_txt("example.com", "v=spf1 a:mail.example.com ip4:192.0.2.0/24 -all");
  const SpfResult r = mail_from("alice@example.com");
  EXPECT_EQ(r.code, SpfCode::pass);
  EXPECT_EQ(r.reason, "matched ip4:192.0.2.0/24");
  EXPECT_EQ(r.scope, SpfScope::mailfrom);
  EXPECT_EQ(r.domain, "example.com");
  EXPECT_EQ(r.dns_lookups, 1);  // a: counted, ip4: not
  EXPECT_TRUE(r.explanation.empty());
}

TEST_F(SpfCheck, FailCarriesExpandedExplanation) {
  zone.add_txt("example.com", "v=spf1 -all exp=why.%{d}");
  zone.add_txt("why.example.com", "%{i} may not send for %{o} (%{l})");
  const SpfResult r = mail_from("bob@example.com");
  EXPECT_EQ(r.code, SpfCode::fail);
  EXPECT_EQ(r.reason, "matched -all");
  EXPECT_EQ(r.explanation, "192.0.2.10 may not send for example.com (bob)");
  zone.add_txt("soft.example.com", "v=spf1 ~all exp=why.example.com");
  EXPECT_TRUE(mail_from("bob@soft.example.com").explanation.empty());  // only on fail
}

TEST_F(SpfCheck, NullSenderUsesPostmasterAtHelo) {
  zone.add_txt("mx.example.org", "v=spf1 -all exp=e.example.org");
  zone.add_txt("e.example.org", "%{s}");
  for (const char* null_sender : {"", "<>"}) {
    const SpfResult r = mail_from(null_sender);
    EXPECT_EQ(r.code, SpfCode::fail);
    EXPECT_EQ(r.scope, SpfScope::helo);  // what was checked is the HELO name
    EXPECT_EQ(r.domain, "mx.example.org");
    EXPECT_EQ(r.explanation, "postmaster@mx.example.org");
  }
  const SpfResult helo =
      check_helo({ip("192.0.2.10"), "mx.example.org", "x@y.example"}, zone, options);
  EXPECT_EQ(helo.scope, SpfScope::helo);
  EXPECT_EQ(helo.code, SpfCode::fail);
  EXPECT_EQ(helo.explanation, "postmaster@mx.example.org");
}

TEST_F(SpfCheck, MissingLocalPartIsPostmaster) {
  zone.add_txt("example.net", "v=spf1 -all exp=e.example.net");
  zone.add_txt("e.example.net", "%{l}");
  EXPECT_EQ(mail_from("@example.net").explanation, "postmaster");
  EXPECT_EQ(mail_from("<@example.net>").explanation, "postmaster");
}

TEST_F(SpfCheck, MalformedIdentitiesGiveNone) {
  const char* senders[] = {"a@[192.0.2.1]", "a@localhost", "a@example..com", "a@",
                           "a@exa mple.com"};
  for (const char* sender : senders) EXPECT_EQ(mail_from(sender).code, SpfCode::none) << sender;
  EXPECT_EQ(check_helo({ip("192.0.2.1"), "OEMCOMPUTER", ""}, zone, options).code, SpfCode::none);
  EXPECT_EQ(zone.lookup_count(), 0);  // nothing was queried
}

// RFC 7208 §4.3 allows "none" for a malformed domain only: an over-long local part (Postfix
// does not enforce 64 octets) must not turn the domain's "-all" into "none". It is cut for %{l}.
TEST_F(SpfCheck, OverlongLocalPartIsCutNotANone) {
  zone.add_txt("bank.example", "v=spf1 -all exp=e.bank.example");
  zone.add_txt("e.bank.example", "%{l}");
  for (SpfEngine engine : {SpfEngine::builtin, SpfEngine::libspf2}) {
    options.engine = engine;
    for (std::size_t length : {64u, 307u, 308u, 5000u}) {
      SCOPED_TRACE(std::to_string(length) +
                   (engine == SpfEngine::builtin ? " builtin" : " libspf2"));
      const std::string sender = std::string(length, 'a') + "@bank.example";
      const SpfResult r = mail_from(sender.c_str());
      EXPECT_EQ(r.code, SpfCode::fail) << r.reason;
      EXPECT_EQ(r.domain, "bank.example");
      if (engine == SpfEngine::builtin) {
        EXPECT_EQ(r.explanation, std::string(std::min<std::size_t>(length, 320 - 13), 'a'));
      }
    }
  }
}

TEST_F(SpfCheck, DnsFailuresAreTemperrorNeverPass) {
  zone.add_failure("timeout.example.com", dns::RecordType::txt, dns::Outcome::timeout);
  EXPECT_EQ(mail_from("a@timeout.example.com").code, SpfCode::temperror);
  zone.add_txt("broken.example.com", "v=spf1 a:down.example.com +all");
  zone.add_failure("down.example.com", dns::RecordType::a, dns::Outcome::servfail);
  const SpfResult r = mail_from("a@broken.example.com");
  EXPECT_EQ(r.code, SpfCode::temperror);
  EXPECT_NE(r.reason.find("SERVFAIL"), std::string::npos);
  zone.add_txt("inc.example.com", "v=spf1 include:timeout.example.com +all");
  EXPECT_EQ(mail_from("a@inc.example.com").code, SpfCode::temperror);
  zone.add_txt("mxdown.example.com", "v=spf1 mx +all");
  zone.add_mx("mxdown.example.com", 10, "down.example.com");
  EXPECT_EQ(mail_from("a@mxdown.example.com").code, SpfCode::temperror);
}

TEST_F(SpfCheck, RecordSelection) {
  EXPECT_EQ(mail_from("a@nowhere.example.com").code, SpfCode::none);
  zone.add_txt("two.example.com", "v=spf1 -all");
  zone.add_txt("two.example.com", "V=SPF1 +all");
  const SpfResult two = mail_from("a@two.example.com");
  EXPECT_EQ(two.code, SpfCode::permerror);
  EXPECT_NE(two.reason.find("more than one SPF record"), std::string::npos);
  zone.add_txt("other.example.com", "google-site-verification=abc");
  zone.add_txt("other.example.com", "v=spf1 +all");
  EXPECT_EQ(mail_from("a@other.example.com").code, SpfCode::pass);
}

TEST_F(SpfCheck, DeepRedirectChainHitsTheTermLimit) {
  for (int i = 0; i < 50; ++i)
    zone.add_txt("r" + std::to_string(i) + ".example.com",
                 "v=spf1 redirect=r" + std::to_string(i + 1) + ".example.com");
  const SpfResult r = mail_from("a@r0.example.com");
  EXPECT_EQ(r.code, SpfCode::permerror);
  EXPECT_EQ(r.reason, "more than 10 DNS-querying terms");
  EXPECT_EQ(r.dns_lookups, 11);
  options.max_dns_terms = 1000;  // a careless configuration still cannot recurse unbounded
  const SpfResult deep = mail_from("a@r0.example.com");
  EXPECT_EQ(deep.code, SpfCode::permerror);
  EXPECT_EQ(deep.reason, "include/redirect too deep");
}

TEST_F(SpfCheck, IncludeLoopIsPermerror) {
  zone.add_txt("loop1.example.com", "v=spf1 include:loop2.example.com -all");
  zone.add_txt("loop2.example.com", "v=spf1 include:loop1.example.com -all");
  EXPECT_EQ(mail_from("a@loop1.example.com").code, SpfCode::permerror);
}

TEST_F(SpfCheck, VoidLookupLimit) {
  std::string record = "v=spf1";
  for (int i = 0; i < 8; ++i) record += " exists:void" + std::to_string(i) + ".example.com";
  zone.add_txt("voids.example.com", record + " +all");
  const SpfResult r = mail_from("a@voids.example.com");
  EXPECT_EQ(r.code, SpfCode::permerror);
  EXPECT_EQ(r.reason, "2 void lookups exceeded");
  EXPECT_EQ(r.dns_lookups, 3);
  options.max_void_lookups = 8;
  EXPECT_EQ(mail_from("a@voids.example.com").code, SpfCode::pass);
}

TEST_F(SpfCheck, MxNameLimit) {
  zone.add_txt("manymx.example.com", "v=spf1 mx -all");
  for (int i = 0; i < 11; ++i)
    zone.add_mx("manymx.example.com", static_cast<std::uint16_t>(i),
                "mx" + std::to_string(i) + ".example.com");
  const SpfResult r = mail_from("a@manymx.example.com");
  EXPECT_EQ(r.code, SpfCode::permerror);
  EXPECT_NE(r.reason.find("more than 10 MX names"), std::string::npos);
}

TEST_F(SpfCheck, HostileRecords) {
  std::string huge = "v=spf1";
  while (huge.size() < 65536) huge += " ip4:198.51.100.1";
  zone.add_txt("huge.example.com", huge + " +all");
  const SpfResult big = mail_from("a@huge.example.com");
  EXPECT_EQ(big.code, SpfCode::permerror);
  EXPECT_NE(big.reason.find("longer than"), std::string::npos);

  zone.add_txt("ctrl.example.com", "v=spf1 ip4:192.0.2.10\x01 +all");
  EXPECT_EQ(mail_from("a@ctrl.example.com").code, SpfCode::permerror);

  // Answers cut at the resolver's bound: TxtAnswerCutAtASizeBoundIsNeverEvaluated and
  // AnswersBeyondTheAdapterBoundAreNeverCutSilently.

  // A long macro expansion is cut from the left to 253 octets (RFC 7208 §7.3), not rejected.
  zone.add_txt("long.example.com", "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.x.example.com -all");
  const std::string label(63, 'q');
  zone.add_address(label + "." + label + "." + label + ".x.example.com", ip("127.0.0.2"));
  EXPECT_EQ(mail_from((label + "@long.example.com").c_str()).code, SpfCode::pass);
}

TEST_F(SpfCheck, TxtAnswerCutAtASizeBoundIsNeverEvaluated) {
  // The kept part reads as a whole record, but a bound cut the answer (dns.max_txt_bytes /
  // dns.max_answer_records): it could be the start of a longer one, or hide a second record.
  zone.add_txt("cut.example.com", "v=spf1 +all");
  zone.add_truncation("cut.example.com", dns::RecordType::txt);
  zone.add_txt("outer.example.com", "v=spf1 include:cut.example.com -all");
  const SpfResult direct = mail_from("a@cut.example.com");
  EXPECT_EQ(direct.code, SpfCode::permerror);
  EXPECT_NE(direct.reason.find("too large"), std::string::npos) << direct.reason;
  EXPECT_EQ(mail_from("a@outer.example.com").code, SpfCode::permerror);  // RFC 7208 §5.2
  // libspf2 cannot be handed a permerror by its DNS layer: temperror, never pass.
  options.engine = SpfEngine::libspf2;
  EXPECT_EQ(mail_from("a@cut.example.com").code, SpfCode::temperror);
  EXPECT_NE(mail_from("a@outer.example.com").code, SpfCode::pass);
  options.engine = SpfEngine::builtin;
  // A cut explanation is not shown: the default explanation is.
  zone.add_txt("expcut.example.com", "v=spf1 -all exp=why.expcut.example.com");
  zone.add_txt("why.expcut.example.com", "text of unknown length");
  zone.add_truncation("why.expcut.example.com", dns::RecordType::txt);
  const SpfResult failed = mail_from("a@expcut.example.com");
  EXPECT_EQ(failed.code, SpfCode::fail);
  EXPECT_FALSE(failed.explanation.empty());
  EXPECT_EQ(failed.explanation.find("unknown length"), std::string::npos) << failed.explanation;
}

TEST_F(SpfCheck, AddressAnswerCutAtTheRecordBoundNeverFallsThroughToAll) {
  // "-a:big +all": the client may be among the addresses the bound dropped, so "no match" is a
  // guess that would end in +all. A match among the kept addresses is still a match.
  zone.add_address("big.example.com", ip("198.51.100.1"));
  zone.add_truncation("big.example.com", dns::RecordType::a);
  zone.add_txt("cutaddr.example.com", "v=spf1 -a:big.example.com +all");
  const SpfResult cut = mail_from("a@cutaddr.example.com");
  EXPECT_EQ(cut.code, SpfCode::permerror);
  EXPECT_NE(cut.reason.find("exceeds the DNS answer bound"), std::string::npos) << cut.reason;
  EXPECT_EQ(mail_from("a@cutaddr.example.com", "198.51.100.1").code, SpfCode::fail);
  zone.add_mx("cutmx.example.com", 10, "big.example.com");
  zone.add_txt("cutmx.example.com", "v=spf1 -mx +all");
  EXPECT_EQ(mail_from("a@cutmx.example.com").code, SpfCode::permerror);
  zone.add_address("small.example.com", ip("198.51.100.2"));
  zone.add_txt("whole.example.com", "v=spf1 -a:small.example.com +all");
  EXPECT_EQ(mail_from("a@whole.example.com").code, SpfCode::pass);  // nothing cut: no guess
}

TEST_F(SpfCheck, CutAnswersNeverFallThroughWithEitherEngine) {
  // The MX answer itself cut (more records than the bound, or exchange names dropped): the
  // listed hosts are unknown, so "-mx +all" cannot conclude "no match".
  zone.add_mx("cutmxlist.example.com", 10, "mx1.example.com");
  zone.add_truncation("cutmxlist.example.com", dns::RecordType::mx);
  zone.add_address("mx1.example.com", ip("198.51.100.9"));
  zone.add_txt("cutmxlist.example.com", "v=spf1 -mx +all");
  const SpfResult builtin = mail_from("a@cutmxlist.example.com");
  EXPECT_EQ(builtin.code, SpfCode::permerror);
  EXPECT_NE(builtin.reason.find("MX answer"), std::string::npos) << builtin.reason;
  // libspf2 takes no permerror from its DNS layer: a cut answer is a temporary error there.
  zone.add_address("big.example.com", ip("198.51.100.1"));
  zone.add_truncation("big.example.com", dns::RecordType::a);
  zone.add_txt("cutaddr.example.com", "v=spf1 -a:big.example.com +all");
  options.engine = SpfEngine::libspf2;
  EXPECT_EQ(mail_from("a@cutaddr.example.com").code, SpfCode::temperror);
  EXPECT_EQ(mail_from("a@cutmxlist.example.com").code, SpfCode::temperror);
  zone.add_address("small.example.com", ip("198.51.100.2"));
  zone.add_txt("whole.example.com", "v=spf1 -a:small.example.com +all");
  EXPECT_EQ(mail_from("a@whole.example.com").code, SpfCode::pass);  // nothing cut: no guess
}

TEST_F(SpfCheck, PtrFollowsValidatedNamesForBothFamilies) {
  zone.add_txt("ptr.example.com", "v=spf1 ptr -all");
  zone.add_ptr("10.2.0.192.in-addr.arpa", "host.ptr.example.com");
  zone.add_address("host.ptr.example.com", ip("192.0.2.10"));
  zone.add_ptr(ip("2001:db8::10").reverse_name(), "host6.ptr.example.com");
  zone.add_address("host6.ptr.example.com", ip("2001:db8::10"));
  for (SpfEngine engine : {SpfEngine::builtin, SpfEngine::libspf2}) {
    options.engine = engine;
    EXPECT_EQ(mail_from("a@ptr.example.com").code, SpfCode::pass);
    EXPECT_EQ(mail_from("a@ptr.example.com", "2001:db8::10").code, SpfCode::pass);
    EXPECT_EQ(mail_from("a@ptr.example.com", "192.0.2.11").code, SpfCode::fail);
  }
}

TEST_F(SpfCheck, Libspf2EngineSharesTheResolver) {
  options.engine = SpfEngine::libspf2;
  options.default_explanation = "DEFAULT";
  zone.add_txt("example.com", "v=spf1 mx a:a.example.com -all");
  zone.add_mx("example.com", 10, "mx.example.com");
  zone.add_address("mx.example.com", ip("192.0.2.25"));
  zone.add_address("a.example.com", ip("2001:db8::25"));
  EXPECT_EQ(mail_from("a@example.com", "192.0.2.25").code, SpfCode::pass);
  EXPECT_EQ(mail_from("a@example.com", "2001:db8::25").code, SpfCode::pass);
  const SpfResult fail = mail_from("a@example.com", "192.0.2.26");
  EXPECT_EQ(fail.code, SpfCode::fail);
  EXPECT_EQ(fail.explanation, "DEFAULT");
  zone.add_failure("down.example.com", dns::RecordType::txt, dns::Outcome::servfail);
  EXPECT_EQ(mail_from("a@down.example.com").code, SpfCode::temperror);
  EXPECT_EQ(mail_from("a@nothing.example.com").code, SpfCode::none);
  EXPECT_GT(zone.lookup_count(), 0);
}

// libspf2 alone would answer "pass (localhost)" for any loopback client.
TEST_F(SpfCheck, LoopbackClientIsEvaluatedByEitherEngine) {
  zone.add_txt("bank.example", "v=spf1 -all");
  for (SpfEngine engine : {SpfEngine::builtin, SpfEngine::libspf2}) {
    options.engine = engine;
    for (const char* client : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
      SCOPED_TRACE(client);
      EXPECT_EQ(mail_from("ceo@bank.example", client).code, SpfCode::fail);
    }
  }
}

// Each %{p} used to repeat the PTR lookup and the validation of every name it returned.
TEST_F(SpfCheck, ValidatedNameForMacrosIsLookedUpOnce) {
  zone.add_ptr("10.2.0.192.in-addr.arpa", "host.p.example");
  zone.add_address("host.p.example", ip("192.0.2.10"));
  zone.add_txt("p.example", "v=spf1 exists:%{p}.%{p}.%{p}.%{p}.%{p}.%{p}.%{p}.%{p}.x.example -all");
  std::string expanded;
  for (int i = 0; i < 8; ++i) expanded += "host.p.example.";
  zone.add_address(expanded + "x.example", ip("127.0.0.2"));
  const int before = zone.lookup_count();
  EXPECT_EQ(mail_from("a@p.example").code, SpfCode::pass);
  EXPECT_EQ(zone.lookup_count() - before, 4);  // TXT, PTR, A of host.p.example, exists
}

// Without a domain-spec, "a" looks up <domain> as it is: a '%' in it is no macro.
TEST_F(SpfCheck, CurrentDomainIsNotMacroExpanded) {
  zone.add_txt("x%{l}.example", "v=spf1 a -all");
  zone.add_address("xabc.example", ip("192.0.2.10"));
  const SpfResult r = mail_from("abc@x%{l}.example");
  EXPECT_NE(r.code, SpfCode::pass) << r.reason;
}

// Bounds configured above this layer's: whole answers are used by our engine, and never cut
// silently for libspf2 (a cut "-a" would fall through to "+all").
TEST_F(SpfCheck, AnswersBeyondTheAdapterBoundAreNeverCutSilently) {
  for (int i = 1; i <= 100; ++i)
    zone.add_address("big.example.com", ip(("198.51.100." + std::to_string(i)).c_str()));
  zone.add_txt("many.example.com", "v=spf1 -a:big.example.com +all");
  options.engine = SpfEngine::libspf2;
  EXPECT_EQ(mail_from("a@many.example.com", "198.51.100.70").code, SpfCode::temperror);
  options.engine = SpfEngine::builtin;
  EXPECT_EQ(mail_from("a@many.example.com", "198.51.100.70").code, SpfCode::fail);
  for (int i = 0; i < 99; ++i) zone.add_txt("txt.example.com", "note " + std::to_string(i));
  zone.add_txt("txt.example.com", "v=spf1 -all");
  EXPECT_EQ(mail_from("a@txt.example.com").code, SpfCode::fail);
}

// Only the prefix of an ip6 network counts: ::ffff:1.2.3.4/64 is ::/64.
TEST_F(SpfCheck, Ip6NetworkWrittenAsMappedAddressWithAShortPrefix) {
  zone.add_txt("six.example.com", "v=spf1 ip6:::ffff:1.2.3.4/64 -all");
  EXPECT_EQ(mail_from("a@six.example.com", "::5").code, SpfCode::pass);
  EXPECT_EQ(mail_from("a@six.example.com", "2001:db8::5").code, SpfCode::fail);
  EXPECT_EQ(mail_from("a@six.example.com", "1.2.3.4").code, SpfCode::fail);  // ip4 matches v4
  zone.add_txt("mapped.example.com", "v=spf1 ip6:::ffff:1.2.3.4/96 -all");
  EXPECT_EQ(mail_from("a@mapped.example.com", "1.2.3.4").code, SpfCode::fail);
}

TEST(SpfNames, ToString) {
  EXPECT_STREQ(to_string(SpfCode::none), "none");
  EXPECT_STREQ(to_string(SpfCode::softfail), "softfail");
  EXPECT_STREQ(to_string(SpfCode::temperror), "temperror");
  EXPECT_STREQ(to_string(SpfCode::permerror), "permerror");
  EXPECT_STREQ(to_string(SpfScope::helo), "helo");
}

TEST(ZoneResolverCname, FollowsChainsAndStopsLoops) {
  dns::ZoneResolver zone;
  zone.add_cname("alias.example.com", "middle.example.com");
  zone.add_cname("middle.example.com", "target.example.com");
  zone.add_txt("target.example.com", "hello");
  const dns::TxtAnswer chained = zone.lookup_txt("ALIAS.example.com");
  ASSERT_TRUE(chained.ok());
  EXPECT_EQ(chained.records.front(), "hello");
  zone.add_cname("loop.example.com", "loop.example.com");
  EXPECT_EQ(zone.lookup_txt("loop.example.com").outcome, dns::Outcome::servfail);
  zone.add_cname("null.example.com", "");
  EXPECT_EQ(zone.lookup_txt("null.example.com").outcome, dns::Outcome::nxdomain);
}

}  // namespace
}  // namespace authmilter::spf
