// format_test.cpp - format_authres(): exact output for each case, injection and length bounds.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "authres/authres.h"
#include "authres/parse.h"
#include "injection_check.h"

namespace authmilter::authres {
namespace {

using testing::is_utf8;
using testing::longest_line;
using testing::only_own_folds;

struct FormatCase {
  const char* id;
  std::string authserv_id;
  std::vector<MethodResult> results;
  FoldStyle fold;
  std::string expected;
};

MethodResult spf_pass() {
  return {"spf", "pass", "sender IP is 192.0.2.1", "", {{"smtp", "mailfrom", "example.org"}}};
}

MethodResult dkim_pass() {
  return {"dkim",
          "pass",
          "",
          "",
          {{"header", "d", "example.org"}, {"header", "s", "sel"}, {"header", "b", "AbCdEfGh"}}};
}

MethodResult one_property(std::string type, std::string name, std::string value) {
  return {"dkim", "pass", "", "", {{std::move(type), std::move(name), std::move(value)}}};
}

const std::vector<FormatCase>& format_cases() {
  static const std::vector<FormatCase> cases = {
      {"empty-list", "mx.example.net", {}, FoldStyle::lf, "mx.example.net; none"},
      {"spf-and-dkim",
       "mx.example.net",
       {spf_pass(), dkim_pass()},
       FoldStyle::lf,
       "mx.example.net;\n\tspf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.org;\n\t"
       "dkim=pass header.d=example.org header.s=sel header.b=AbCdEfGh"},
      {"crlf-folds",
       "mx.example.net",
       {spf_pass(), dkim_pass()},
       FoldStyle::crlf,
       "mx.example.net;\r\n\tspf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.org;\r\n\t"
       "dkim=pass header.d=example.org header.s=sel header.b=AbCdEfGh"},
      {"reason-always-quoted",
       "mx.example.net",
       {{"dkim", "fail", "", "body hash mismatch", {{"header", "d", "example.org"}}}},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=fail reason=\"body hash mismatch\" header.d=example.org"},
      {"comment-then-reason-then-properties",
       "mx.example.net",
       {{"dmarc", "fail", "p=reject", "not aligned", {{"header", "from", "example.com"}}}},
       FoldStyle::lf,
       "mx.example.net;\n\tdmarc=fail (p=reject) reason=\"not aligned\" header.from=example.com"},
      {"keywords-lower-cased",
       "MX.Example.NET",
       {{"SPF", "PermError", "", "", {{"SMTP", "MailFrom", "Example.ORG"}}}},
       FoldStyle::lf,
       "MX.Example.NET;\n\tspf=permerror smtp.mailfrom=Example.ORG"},
      {"method-version",
       "mx.example.net",
       {{"dkim", "pass", "", "", {}, 1}},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim/1=pass"},
      {"mailbox-unquoted",
       "mx.example.net",
       {one_property("smtp", "mailfrom", "user@example.org")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass smtp.mailfrom=user@example.org"},
      {"at-domain-unquoted",
       "mx.example.net",
       {one_property("header", "i", "@example.org")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass header.i=@example.org"},
      {"base64-quoted",
       "mx.example.net",
       {one_property("header", "b", "ab/cd+e=")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass header.b=\"ab/cd+e=\""},
      {"ipv6-quoted",
       "mx.example.net",
       {{"iprev", "pass", "", "", {{"policy", "iprev", "2001:db8::1"}}}},
       FoldStyle::lf,
       "mx.example.net;\n\tiprev=pass policy.iprev=\"2001:db8::1\""},
      {"space-in-local-part-quoted",
       "mx.example.net",
       {one_property("smtp", "mailfrom", "john doe@example.org")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass smtp.mailfrom=\"john doe@example.org\""},
      {"two-at-signs-quoted",
       "mx.example.net",
       {one_property("smtp", "mailfrom", "a@b@example.org")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass smtp.mailfrom=\"a@b@example.org\""},
      {"eai-quoted",
       "mx.example.net",
       {one_property("header", "d",
                     "b\xc3\xbc"
                     "cher.example")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass header.d=\"b\xc3\xbc"
       "cher.example\""},
      {"quote-and-backslash-escaped",
       "mx.example.net",
       {one_property("header", "s", "a\"b\\c")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass header.s=\"a\\\"b\\\\c\""},
      {"empty-value",
       "mx.example.net",
       {one_property("header", "d", "")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass header.d=\"\""},
      {"comment-escaped",
       "mx.example.net",
       {{"spf", "neutral", "a (b) \\ c", "", {}}},
       FoldStyle::lf,
       "mx.example.net;\n\tspf=neutral (a \\(b\\) \\\\ c)"},
      {"comment-only-controls-dropped",
       "mx.example.net",
       {{"spf", "none", "\r\n\t", "", {}}},
       FoldStyle::lf,
       "mx.example.net;\n\tspf=none"},
      {"invalid-keywords-marked",
       "mx.example.net",
       {{"sp f", "pass\r\nX-Injected: 1", "", "", {{"", "-d", "x"}}}},
       FoldStyle::lf,
       "mx.example.net;\n\tinvalid=invalid invalid.invalid=x"},
      {"authserv-id-with-space-quoted", "mx example", {}, FoldStyle::lf, "\"mx example\"; none"},
      {"authserv-id-empty", "", {}, FoldStyle::lf, "authserv-id.invalid; none"},
      {"authserv-id-crlf-injection",
       "mx.example.net\r\nX-Injected: 1",
       {},
       FoldStyle::lf,
       "\"mx.example.net  X-Injected: 1\"; none"},
      {"domain-crlf-injection",
       "mx.example.net",
       {one_property("header", "d", "example.org\r\nX-Injected: 1")},
       FoldStyle::crlf,
       "mx.example.net;\r\n\tdkim=pass header.d=\"example.org  X-Injected: 1\""},
      {"reason-nul-and-lf",
       "mx.example.net",
       {{"spf", "fail", "", std::string("a\0b\nc", 5), {}}},
       FoldStyle::lf,
       "mx.example.net;\n\tspf=fail reason=\"a b c\""},
      {"comment-crlf-injection",
       "mx.example.net",
       {{"spf", "fail", "x)\r\nX-Injected: 1 (", "", {}}},
       FoldStyle::lf,
       "mx.example.net;\n\tspf=fail (x\\)  X-Injected: 1 \\()"},
      {"invalid-utf8-replaced",
       "mx.example.net",
       {one_property("header", "d", "\xff\xc3.example")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass header.d=\"??.example\""},
      {"c1-control-and-line-separator-blanked",
       "mx.example.net",
       {one_property("header", "s",
                     "a\xc2\x85"
                     "b\xe2\x80\xa8"
                     "c")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass header.s=\"a b c\""},
      {"overlong-utf8-replaced",
       "mx.example.net",
       {one_property("header", "s", "\xc0\xaf")},
       FoldStyle::lf,
       "mx.example.net;\n\tdkim=pass header.s=\"??\""},
  };
  return cases;
}

TEST(FormatAuthres, ExactOutput) {
  for (const FormatCase& c : format_cases()) {
    SCOPED_TRACE(c.id);
    const std::string out = format_authres(c.authserv_id, c.results, c.fold);
    EXPECT_EQ(out, c.expected);
    EXPECT_TRUE(only_own_folds(out, c.fold));
    // Everything we write must read back, with as many resinfos as we wrote.
    const auto parsed = parse_authres(out);
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    EXPECT_EQ(parsed->results.size(), c.results.size());
  }
}

TEST(FormatAuthres, HostileMegabyteValueIsBounded) {
  const std::string huge(1 << 20, 'a');
  const MethodResult result{"dkim", "fail", huge, huge, {{"header", "d", huge + "\r\n"}}};
  const std::string out = format_authres(huge, {result});
  EXPECT_LT(out.size(), 4 * 600u);
  EXPECT_LE(longest_line(out), 998u);
  EXPECT_TRUE(only_own_folds(out, FoldStyle::lf));
  const auto parsed = parse_authres(out);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_EQ(parsed->results.size(), 1u);
  EXPECT_EQ(parsed->authserv_id.size(), 512u);
  EXPECT_EQ(parsed->results[0].comment.size(), 510u);
  EXPECT_EQ(parsed->results[0].reason.size(), 510u);
  EXPECT_EQ(parsed->results[0].properties.at(0).value, std::string(512, 'a'));  // a token
}

TEST(FormatAuthres, TruncatesOnUtf8BoundaryAndCountsEscapes) {
  std::string umlauts = "x";
  for (int i = 0; i < 1000; ++i) umlauts += "\xc3\xbc";
  const std::string out = format_authres("mx", {one_property("header", "d", umlauts)});
  const std::string prefix = "mx;\n\tdkim=pass header.d=";
  ASSERT_EQ(out.substr(0, prefix.size()), prefix);
  const std::string value = out.substr(prefix.size());
  // '"' + 'x' + 254 two-byte characters + '"': one byte more would split a character.
  EXPECT_EQ(value.size(), 511u);
  EXPECT_TRUE(is_utf8(value));

  const std::string quotes(1000, '"');
  const std::string escaped = format_authres("mx", {one_property("header", "d", quotes)});
  EXPECT_EQ(escaped.size() - prefix.size(), 512u);
  const auto parsed = parse_authres(escaped);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->results[0].properties[0].value, std::string(255, '"'));
}

TEST(FormatAuthres, LongResinfoFoldsBetweenElements) {
  MethodResult result{"dkim", "fail", std::string(400, 'c'), std::string(400, 'r'), {}};
  for (int i = 0; i < 6; ++i) result.properties.push_back({"header", "d", std::string(400, 'd')});
  const std::string out = format_authres("mx.example.net", {result, dkim_pass()}, FoldStyle::crlf);
  EXPECT_LE(longest_line(out), 998u);
  EXPECT_TRUE(only_own_folds(out, FoldStyle::crlf));
  const auto parsed = parse_authres(out);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_EQ(parsed->results.size(), 2u);
  EXPECT_EQ(parsed->results[0], result);
  EXPECT_EQ(parsed->results[1], dkim_pass());
}

TEST(IsValidAuthservId, AcceptsTokensOnly) {
  EXPECT_TRUE(is_valid_authserv_id("mx.example.net"));
  EXPECT_TRUE(is_valid_authserv_id("mx-1_b.example"));
  EXPECT_FALSE(is_valid_authserv_id(""));
  EXPECT_FALSE(is_valid_authserv_id("mx example"));
  EXPECT_FALSE(is_valid_authserv_id("mx.example.net;"));
  EXPECT_FALSE(is_valid_authserv_id("mx.example.net\n"));
  EXPECT_FALSE(
      is_valid_authserv_id("b\xc3\xbc"
                           "cher.example"));
  EXPECT_FALSE(is_valid_authserv_id(std::string(513, 'a')));
}

}  // namespace
}  // namespace authmilter::authres
