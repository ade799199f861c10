// record_test.cpp - table-driven tests of the SPF record parser (RFC 7208 §4.5, §4.6, §5, §6).
#include "spf/record.h"

#include <gtest/gtest.h>

#include <string>

namespace authmilter::spf {
namespace {

TEST(SpfRecord, RecognisesVersion) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("V=SpF1 -all"));
  EXPECT_FALSE(is_spf_record("v=spf10"));
  EXPECT_FALSE(is_spf_record("v=spf1mx"));
  EXPECT_FALSE(is_spf_record(" v=spf1"));
  EXPECT_FALSE(is_spf_record("spf2.0/pra"));
  EXPECT_FALSE(is_spf_record(""));
}

TEST(SpfRecord, ParsesEveryMechanism) {
  const Result<SpfRecord> p = parse_record(
      "v=spf1 +all -include:_spf.example.com ~a ?a:a.example.com/24//64 mx/30 "
      "mx:mx.example.com//48 ptr ptr:example.org ip4:192.0.2.0/24 ip6:2001:db8::/32 "
      "exists:%{ir}.bl.example.net ip4:0.0.0.0/0  redirect=_spf.example.net "
      "exp=explain.%{d} unknown-mod=%{d}");
  ASSERT_TRUE(p.ok()) << p.error();
  const auto& m = p->mechanisms;
  ASSERT_EQ(m.size(), 12u);
  EXPECT_EQ(m[0].kind, MechanismKind::all);
  EXPECT_EQ(m[0].qualifier, Qualifier::pass);
  EXPECT_EQ(m[1].kind, MechanismKind::include);
  EXPECT_EQ(m[1].qualifier, Qualifier::fail);
  EXPECT_EQ(m[1].domain_spec, "_spf.example.com");
  EXPECT_EQ(m[2].qualifier, Qualifier::softfail);
  EXPECT_EQ(m[2].domain_spec, "");
  EXPECT_EQ(m[3].qualifier, Qualifier::neutral);
  EXPECT_EQ(m[3].domain_spec, "a.example.com");
  EXPECT_EQ(m[3].cidr4, 24);
  EXPECT_EQ(m[3].cidr6, 64);
  EXPECT_EQ(m[4].cidr4, 30);
  EXPECT_EQ(m[4].cidr6, 128);
  EXPECT_EQ(m[5].cidr4, 32);
  EXPECT_EQ(m[5].cidr6, 48);
  EXPECT_EQ(m[6].kind, MechanismKind::ptr);
  EXPECT_EQ(m[7].domain_spec, "example.org");
  EXPECT_EQ(m[8].kind, MechanismKind::ip4);
  EXPECT_EQ(m[8].cidr4, 24);
  EXPECT_EQ(m[8].network[0], 192);
  EXPECT_EQ(m[9].kind, MechanismKind::ip6);
  EXPECT_EQ(m[9].cidr6, 32);
  EXPECT_EQ(m[10].kind, MechanismKind::exists);
  EXPECT_EQ(m[11].cidr4, 0);
  EXPECT_EQ(p->redirect, "_spf.example.net");
  EXPECT_EQ(p->explanation, "explain.%{d}");
}

TEST(SpfRecord, AcceptsOddButValidRecords) {
  const char* valid[] = {
      "v=spf1",
      "v=spf1 ",
      "v=spf1  a   -all  ",
      "v=spf1 a:foo:bar/baz.example.com",
      "v=spf1 a:foo.example.xn--zckzah",
      "v=spf1 a:mail.example...com",  // syntax is fine; the name cannot be queried
      "v=spf1 moo.cow-far_out=man:dog/cat",
      "v=spf1 default=+",
      "v=spf1 a:%{H}.bar",
      "v=spf1 exists:%{l}.%{d}.%{i}.spf.example.net",
      "v=spf1 redirect=%{d}.d.spf.example.com.",
      "v=spf1 ip6:::1.1.1.1/0",
      "v=spf1 A:EXAMPLE.COM IP4:192.0.2.1 -ALL",
  };
  for (const char* text : valid) EXPECT_TRUE(parse_record(text).ok()) << text;
}

TEST(SpfRecord, RejectsSyntaxErrors) {
  const char* invalid[] = {
      "v=spf1 -all.",
      "v=spf1 -all:foobar",
      "v=spf1 -all/8",
      "v=spf1 ptr/0",
      "v=spf1 ptr:",
      "v=spf1 a:",
      "v=spf1 mx:",
      "v=spf1 a/33",
      "v=spf1 a//129",
      "v=spf1 a/24/64",
      "v=spf1 a/032",
      "v=spf1 a/",
      "v=spf1 a:foo-bar",
      "v=spf1 a:abc.123",
      "v=spf1 a:111.222.33.44",
      "v=spf1 a:museum",
      "v=spf1 a:museum.",
      "v=spf1 a:example.-com",
      "v=spf1 a:example.com:8080",
      "v=spf1 include",
      "v=spf1 include:",
      "v=spf1 include:ip5.example.com/24",
      "v=spf1 exists",
      "v=spf1 exists:",
      "v=spf1 exists:mail.example.com/24",
      "v=spf1 ip4",
      "v=spf1 ip4:1.2.3",
      "v=spf1 ip4:1.2.3.4:8080",
      "v=spf1 ip4:1.2.3.4//32",
      "v=spf1 ip4:1.2.3.4/33",
      "v=spf1 ip4:1.2.3.4/032",
      "v=spf1 ip4:01.2.3.4",
      "v=spf1 ip6",
      "v=spf1 ip6::CAFE::BABE",
      "v=spf1 ip6:::1/129",
      "v=spf1 ip6:::1//33",
      "v=spf1 ip4:::1",
      "v=spf1 redirect:example.com",
      "v=spf1 moo",
      "v=spf1 moo.cow/far_out=man:dog/cat",
      "v=spf1 1up=foo",
      "v=spf1 =all",
      "v=spf1 foo=%abc",
      "v=spf1 exp=",
      "v=spf1 exp=-all",
      "v=spf1 redirect=",
      "v=spf1 exp=a.example.com exp=b.example.com",
      "v=spf1 redirect=a.example.com redirect=a.example.com",
      "v=spf1 exists:%(ir).sbl.example.com",
      "v=spf1 a:%{r}.example.com",
      "v=spf1 a:ctrl.example.com\rptr -all",
      "v=spf1 ip4:192.0.2.5\n -all",
      "v=spf1 \x80"
      "a:example.net",
      "v=spf1 a:example.net\t-all",
  };
  for (const char* text : invalid) {
    EXPECT_FALSE(parse_record(text).ok()) << text;
  }
  // Explicit lengths: the NUL byte must reach the parser.
  EXPECT_FALSE(parse_record(std::string("v=spf1 a:foo.example.com\0", 25)).ok());
}

TEST(SpfRecord, ReasonsNameTheTerm) {
  EXPECT_EQ(parse_record("v=spf1 ip4:1.2.3 -all").error(), "syntax error in 'ip4:1.2.3'");
  EXPECT_EQ(parse_record("v=spf1 frobnicate").error(), "unknown mechanism 'frobnicate'");
  EXPECT_EQ(parse_record("v=spf1 exp=a.example.com exp=a.example.com").error(),
            "more than one exp= modifier");
  const std::string long_term = "v=spf1 -ip4:" + std::string(5000, '9');
  const std::string error = parse_record(long_term).error();
  EXPECT_TRUE(error.starts_with("syntax error in '-ip4:999")) << error;
  EXPECT_LT(error.size(), 150u);  // reasons go into header comments: bounded
}

TEST(SpfRecord, BoundsHostileRecords) {
  std::string huge = "v=spf1";
  while (huge.size() < 65536) huge += " ip4:192.0.2.1";
  const Result<SpfRecord> too_long = parse_record(huge);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().find("longer than"), std::string::npos);

  std::string many = "v=spf1";
  for (std::size_t i = 0; i <= kMaxTerms; ++i) many += " a";
  ASSERT_LE(many.size(), kMaxRecordLength);
  const Result<SpfRecord> too_many = parse_record(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().find("terms"), std::string::npos);

  std::string spaces = "v=spf1" + std::string(kMaxRecordLength - 10, ' ') + "-all";
  EXPECT_TRUE(parse_record(spaces).ok());
}

TEST(SpfRecord, DomainSpecEnd) {
  EXPECT_TRUE(check_domain_spec("example.com").ok());
  EXPECT_TRUE(check_domain_spec("example.com.").ok());
  EXPECT_TRUE(check_domain_spec("%{d}").ok());
  EXPECT_TRUE(check_domain_spec("_spf.%{d2}").ok());
  EXPECT_TRUE(check_domain_spec("x.1-2").ok());  // the dashed all-digit toplabel alternative
  const Status toplabel = check_domain_spec("example.123");
  ASSERT_FALSE(toplabel.ok());
  EXPECT_FALSE(toplabel.error().empty());
  EXPECT_EQ(check_domain_spec("").error(), "empty domain-spec");
  EXPECT_FALSE(check_domain_spec("example.com-").ok());
}

}  // namespace
}  // namespace authmilter::spf
