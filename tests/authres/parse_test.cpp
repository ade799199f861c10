// parse_test.cpp - parse_authres(): RFC 8601 Appendix B, deployed variants, malformed input,
// and format -> parse round trips.
#include "authres/parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "authres/authres.h"

namespace authmilter::authres {
namespace {

struct ParseCase {
  const char* id;
  std::string field_value;
  std::string authserv_id;
  int version;
  std::vector<MethodResult> results;
};

// The field values (after "Authentication-Results:") of RFC 8601 Appendix B, with the RFC's
// CRLF folding. B.1 has no Authentication-Results field, so it has no case here.
const std::vector<ParseCase>& rfc8601_appendix_b() {
  static const std::vector<ParseCase> cases = {
      {"B.2-no-authentication-done", " example.org 1; none", "example.org", 1, {}},
      {"B.3-spf",
       " example.com;\r\n          spf=pass smtp.mailfrom=example.net",
       "example.com",
       1,
       {{"spf", "pass", "", "", {{"smtp", "mailfrom", "example.net"}}}}},
      {"B.4-auth-and-spf",
       " example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
       "          spf=pass smtp.mailfrom=example.net",
       "example.com",
       1,
       {{"auth", "pass", "cram-md5", "", {{"smtp", "auth", "sender@example.net"}}},
        {"spf", "pass", "", "", {{"smtp", "mailfrom", "example.net"}}}}},
      {"B.4-iprev",
       " example.com; iprev=pass\r\n          policy.iprev=192.0.2.200",
       "example.com",
       1,
       {{"iprev", "pass", "", "", {{"policy", "iprev", "192.0.2.200"}}}}},
      {"B.5-dkim",
       " example.com;\r\n          dkim=pass (good signature) header.d=example.com",
       "example.com",
       1,
       {{"dkim", "pass", "good signature", "", {{"header", "d", "example.com"}}}}},
      {"B.5-auth-and-spf-fail",
       " example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
       "          spf=fail smtp.mailfrom=example.com",
       "example.com",
       1,
       {{"auth", "pass", "cram-md5", "", {{"smtp", "auth", "sender@example.com"}}},
        {"spf", "fail", "", "", {{"smtp", "mailfrom", "example.com"}}}}},
      {"B.6-two-dkim-with-reasons",
       " example.com;\r\n    dkim=pass reason=\"good signature\"\r\n"
       "      header.i=@mail-router.example.net;\r\n    dkim=fail reason=\"bad signature\"\r\n"
       "      header.i=@newyork.example.com",
       "example.com",
       1,
       {{"dkim", "pass", "", "good signature", {{"header", "i", "@mail-router.example.net"}}},
        {"dkim", "fail", "", "bad signature", {{"header", "i", "@newyork.example.com"}}}}},
      {"B.6-upstream",
       " example.net;\r\n    dkim=pass (good signature) header.i=@newyork.example.com",
       "example.net",
       1,
       {{"dkim", "pass", "good signature", "", {{"header", "i", "@newyork.example.com"}}}}},
      {"B.7-comment-heavy",
       " foo.example.net (foobar) 1 (baz);\r\n"
       "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
       "      policy (A dot can go here) . (like that) expired\r\n"
       "      (this surprised me) = (as I wasn't expecting it) 1362471462",
       "foo.example.net",
       1,
       {{"dkim", "fail", "", "", {{"policy", "expired", "1362471462"}}, 1}}},
  };
  return cases;
}

// Deviations seen in deployed software that a reader of others' fields should accept.
const std::vector<ParseCase>& lenient_cases() {
  static const std::vector<ParseCase> cases = {
      {"trailing-semicolon",
       "mx.example.net; spf=pass smtp.mailfrom=a.example;",
       "mx.example.net",
       1,
       {{"spf", "pass", "", "", {{"smtp", "mailfrom", "a.example"}}}}},
      {"none-then-semicolon", "mx.example.net; none;", "mx.example.net", 1, {}},
      {"lf-folding-and-upper-case",
       "MX.Example.NET;\n\tSPF=Pass SMTP.MailFrom=A.Example",
       "mx.example.net",
       1,
       {{"spf", "pass", "", "", {{"smtp", "mailfrom", "A.Example"}}}}},
      {"unquoted-base64-and-ipv6",
       "mx; dkim=pass header.b=ab/c+d; iprev=pass policy.iprev=2001:db8::1",
       "mx",
       1,
       {{"dkim", "pass", "", "", {{"header", "b", "ab/c+d"}}},
        {"iprev", "pass", "", "", {{"policy", "iprev", "2001:db8::1"}}}}},
      {"unquoted-eai",
       "mx; dkim=pass header.d=b\xc3\xbc"
       "cher.example",
       "mx",
       1,
       {{"dkim",
         "pass",
         "",
         "",
         {{"header", "d",
           "b\xc3\xbc"
           "cher.example"}}}}},
      {"quoted-local-part",
       "mx; spf=pass smtp.mailfrom=\"john doe\"@example.org",
       "mx",
       1,
       {{"spf", "pass", "", "", {{"smtp", "mailfrom", "\"john doe\"@example.org"}}}}},
      {"reason-after-property",
       "mx; dkim=fail header.d=a.example reason=bad",
       "mx",
       1,
       {{"dkim", "fail", "", "bad", {{"header", "d", "a.example"}}}}},
      {"underscore-keyword", "mx; x_method=pass", "mx", 1, {{"x_method", "pass", "", "", {}}}},
      {"method-named-none", "mx; none=pass", "mx", 1, {{"none", "pass", "", "", {}}}},
      {"ptype-named-reason",
       "mx; spf=pass reason.x=y",
       "mx",
       1,
       {{"spf", "pass", "", "", {{"reason", "x", "y"}}}}},
      {"folded-quoted-string",
       "mx; spf=pass reason=\"a\r\n b\"",
       "mx",
       1,
       {{"spf", "pass", "", "a b", {}}}},
      {"version-2", "mx 2; none", "mx", 2, {}},
      {"quoted-authserv-id", "\"MX Example\"; none", "mx example", 1, {}},
  };
  return cases;
}

void expect_parses(const ParseCase& c) {
  SCOPED_TRACE(c.id);
  const auto parsed = parse_authres(c.field_value);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->authserv_id, c.authserv_id);
  EXPECT_EQ(parsed->version, c.version);
  EXPECT_EQ(parsed->results, c.results);
}

TEST(ParseAuthres, Rfc8601AppendixB) {
  for (const ParseCase& c : rfc8601_appendix_b()) expect_parses(c);
}

TEST(ParseAuthres, LenientReader) {
  for (const ParseCase& c : lenient_cases()) expect_parses(c);
}

TEST(ParseAuthres, RejectsMalformed) {
  const std::vector<std::pair<const char*, std::string>> malformed = {
      {"empty", ""},
      {"blanks", " \r\n\t"},
      {"no-semicolon", "mx.example.net"},
      {"nothing-after-semicolon", "mx.example.net;"},
      {"method-only", "mx; spf"},
      {"no-result", "mx; spf="},
      {"result-not-keyword", "mx; spf=\"pass\""},
      {"ptype-only", "mx; spf=pass smtp"},
      {"property-without-value", "mx; spf=pass smtp.mailfrom"},
      {"property-empty-value", "mx; spf=pass smtp.mailfrom="},
      {"no-space-before-property", "mx; spf=pass\"x\"smtp.mailfrom=a"},
      {"none-then-result", "mx; none; spf=pass"},
      {"result-then-none", "mx; spf=pass; none"},
      {"unterminated-quoted-id", "\"mx; none"},
      {"unbalanced-comment-in-resinfo", "mx; spf=pass (open"},
      {"unbalanced-comment-before-id", "(mx; none"},
      {"two-reasons", "mx; spf=pass reason=a reason=b"},
      {"reason-without-value", "mx; spf=pass reason="},
      {"unterminated-value", "mx; dkim=pass header.d=\"a.example"},
      {"bad-method-version", "mx; dkim/=pass"},
      {"version-out-of-range", "mx 99999999999; none"},
      {"version-glued-to-quoted-id", "\"mx\"1; none"},
      {"stray-character", "mx; spf=pass ]"},
      {"too-deep-comment", "mx; spf=pass " + std::string(17, '(') + std::string(17, ')')},
      {"too-long", "mx; spf=pass reason=\"" + std::string(kMaxFieldValueLength, 'a') + "\""},
  };
  for (const auto& [id, value] : malformed) {
    SCOPED_TRACE(id);
    const auto parsed = parse_authres(value);
    EXPECT_FALSE(parsed.ok());
    if (!parsed.ok()) {
      EXPECT_FALSE(parsed.error().empty());
    }
  }
}

TEST(ParseAuthres, BoundsCounts) {
  std::string many = "mx";
  for (std::size_t i = 0; i < kMaxResinfos; ++i) many += "; spf=pass";
  ASSERT_TRUE(parse_authres(many).ok());
  EXPECT_FALSE(parse_authres(many + "; spf=pass").ok());

  std::string properties = "mx; dkim=pass";
  for (std::size_t i = 0; i < kMaxPropertiesPerResinfo; ++i) properties += " header.d=a";
  ASSERT_TRUE(parse_authres(properties).ok());
  EXPECT_FALSE(parse_authres(properties + " header.d=a").ok());
}

TEST(ParseAuthres, FormatThenParseGivesTheSameResults) {
  const std::vector<MethodResult> results = {
      {"spf", "pass", "sender IP is 192.0.2.1", "", {{"smtp", "mailfrom", "user@example.org"}}},
      {"dkim",
       "fail",
       "",
       "signature did not verify",
       {{"header", "d", "example.org"}, {"header", "s", "sel 1"}, {"header", "b", "ab/c+d=="}}},
      {"dkim", "pass", "a (nested) \\ comment", "", {{"header", "i", "@example.org"}}, 1},
      {"dmarc",
       "fail",
       "p=reject",
       "",
       {{"header", "from",
         "b\xc3\xbc"
         "cher.example"}}},
      {"iprev", "pass", "", "", {{"policy", "iprev", "2001:db8::1"}}},
      {"auth", "pass", "", "quote \" and backslash \\", {{"smtp", "auth", "a\"b@example.org"}}},
      {"arc", "none", "", "", {}},
  };
  for (FoldStyle fold : {FoldStyle::lf, FoldStyle::crlf}) {
    const auto parsed = parse_authres(format_authres("MX.Example.NET", results, fold));
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    EXPECT_EQ(parsed->authserv_id, "mx.example.net");
    EXPECT_EQ(parsed->results, results);
  }
  const auto none = parse_authres(format_authres("mx.example.net", {}));
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_TRUE(none->results.empty());
}

}  // namespace
}  // namespace authmilter::authres
