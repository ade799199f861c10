// macro_test.cpp - table-driven tests of SPF macro expansion (RFC 7208 §7), including the
// RFC's own examples and hostile transformers.
#include "spf/macro.h"

#include <gtest/gtest.h>

#include <string>

namespace authmilter::spf {
namespace {

MacroInputs rfc_inputs(const char* client = "192.0.2.3") {
  // RFC 7208 §7.4: sender strong-bad@email.example.com, IP 192.0.2.3.
  MacroInputs in;
  in.sender = "strong-bad@email.example.com";
  in.local_part = "strong-bad";
  in.sender_domain = "email.example.com";
  in.domain = "email.example.com";
  in.helo = "mx.example.org";
  in.receiver = "receiver.example.net";
  in.client = *net::IpAddress::parse(client);
  in.timestamp = 1700000000;
  return in;
}

struct ExpansionCase {
  const char* macro;
  const char* expected;
};

TEST(SpfMacro, Rfc7208Examples) {
  const ExpansionCase cases[] = {
      {"%{s}", "strong-bad@email.example.com"},
      {"%{o}", "email.example.com"},
      {"%{d}", "email.example.com"},
      {"%{d4}", "email.example.com"},
      {"%{d3}", "email.example.com"},
      {"%{d2}", "example.com"},
      {"%{d1}", "com"},
      {"%{dr}", "com.example.email"},
      {"%{d2r}", "example.email"},
      {"%{l}", "strong-bad"},
      {"%{l-}", "strong.bad"},
      {"%{lr}", "strong-bad"},
      {"%{lr-}", "bad.strong"},
      {"%{l1r-}", "strong"},
      {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
      {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
      {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
      {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
      {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
      {"%%%_%-", "% %20"},
      {"%{h}", "mx.example.org"},
      {"%{p}", "unknown"},  // no callback: no validated name
  };
  for (const auto& c : cases) {
    const auto out = expand_macros(c.macro, rfc_inputs(), MacroContext::domain);
    ASSERT_TRUE(out.has_value()) << c.macro;
    EXPECT_EQ(*out, c.expected) << c.macro;
  }
}

TEST(SpfMacro, Ipv6AndExplanationLetters) {
  const MacroInputs in = rfc_inputs("2001:db8::cb01");
  EXPECT_EQ(*expand_macros("%{ir}.%{v}._spf.%{d2}", in, MacroContext::domain),
            "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
  EXPECT_EQ(*expand_macros("%{c} %{r} %{t}", in, MacroContext::explanation),
            "2001:db8::cb01 receiver.example.net 1700000000");
  // c, r, t and spaces belong to explanation text only (RFC 7208 §7.1).
  EXPECT_FALSE(expand_macros("%{c}", in, MacroContext::domain).has_value());
  EXPECT_FALSE(expand_macros("a b", in, MacroContext::domain).has_value());
}

TEST(SpfMacro, UppercaseIsUrlEscaped) {
  MacroInputs in = rfc_inputs();
  in.local_part = "~jack&jill=up-a_b3.c";
  EXPECT_EQ(*expand_macros("%{L}", in, MacroContext::domain), "~jack%26jill%3Dup-a_b3.c");
  EXPECT_EQ(url_escape("a b/\x7f"), "a%20b%2F%7F");
}

TEST(SpfMacro, ValidatedNameCallback) {
  MacroInputs in = rfc_inputs();
  int calls = 0;
  in.validated_name = [&calls] {
    ++calls;
    return std::string("mail.example.com");
  };
  EXPECT_EQ(*expand_macros("%{p2}", in, MacroContext::domain), "example.com");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(*expand_macros("plain.example.com", in, MacroContext::domain), "plain.example.com");
  EXPECT_EQ(calls, 1);  // no %{p}: no lookups
}

TEST(SpfMacro, SyntaxErrors) {
  const char* invalid[] = {
      "%",       "a%",      "%x",  "%(ir)", "%{",      "%{d",         "%{a}",    "%{d0}",
      "%{d2rr}", "%{d2r!}", "%{}", "%{ d}", "foo\x01", "caf\xc3\xa9", "%{d2-x}",
  };
  for (const char* text : invalid) {
    EXPECT_FALSE(check_macro_string(text, MacroContext::domain).ok()) << text;
    EXPECT_FALSE(expand_macros(text, rfc_inputs(), MacroContext::domain).has_value()) << text;
  }
  const char* valid[] = {"", "%%", "%_", "%-", "%{d}", "%{d2r.-+,/_=}", "%{S}", "x%{ir}y"};
  for (const char* text : valid)
    EXPECT_TRUE(check_macro_string(text, MacroContext::domain).ok()) << text;
}

TEST(SpfMacro, HugeTransformersAreSaturated) {
  EXPECT_EQ(*expand_macros("%{d999999999r}", rfc_inputs(), MacroContext::domain),
            "com.example.email");
  const std::string many_digits = "%{d" + std::string(5000, '9') + "}";
  EXPECT_EQ(*expand_macros(many_digits, rfc_inputs(), MacroContext::domain), "email.example.com");
}

TEST(SpfMacro, OutputIsBounded) {
  MacroInputs in = rfc_inputs();
  in.local_part = std::string(4000, 'x');
  std::string text;
  for (int i = 0; i < 50; ++i) text += "%{l}.";
  text += "example.com";
  const auto domain = expand_macros(text, in, MacroContext::domain);
  ASSERT_TRUE(domain.has_value());
  EXPECT_EQ(domain->size(), kMaxMacroOutput);
  EXPECT_TRUE(domain->ends_with(".example.com"));  // domains keep their right-hand side
  const auto explanation = expand_macros(text, in, MacroContext::explanation);
  ASSERT_TRUE(explanation.has_value());
  EXPECT_EQ(explanation->size(), kMaxMacroOutput);
  EXPECT_TRUE(explanation->starts_with("xxx"));
}

TEST(SpfMacro, EndsWithMacroExpand) {
  EXPECT_TRUE(ends_with_macro_expand("%{d}"));
  EXPECT_TRUE(ends_with_macro_expand("foo.%{d2}"));
  EXPECT_TRUE(ends_with_macro_expand("foo%-"));
  EXPECT_TRUE(ends_with_macro_expand("foo%%"));
  EXPECT_FALSE(ends_with_macro_expand("foo%%_"));
  EXPECT_FALSE(ends_with_macro_expand("foo.com"));
  EXPECT_FALSE(ends_with_macro_expand("%%{d}"));  // "%%" then the literal "{d}"
}

}  // namespace
}  // namespace authmilter::spf
