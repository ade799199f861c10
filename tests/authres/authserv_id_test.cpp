// authserv_id_test.cpp - forged-AR detection: authserv_id_of() and carries_authserv_id().
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "authres/authres.h"

namespace authmilter::authres {
namespace {

constexpr const char* kOurs = "mx.example.net";

struct AuthservIdCase {
  const char* id;
  std::string field_value;
  std::optional<std::string> expected_id;
  bool carries_ours;
};

std::string nested_comments(int depth) {
  return std::string(depth, '(') + std::string(depth, ')') + " mx.example.net; none";
}

const std::vector<AuthservIdCase>& cases() {
  static const std::vector<AuthservIdCase> table = {
      {"plain", "mx.example.net; spf=pass smtp.mailfrom=example.org", "mx.example.net", true},
      {"other-case", "MX.Example.NET; none", "mx.example.net", true},
      {"comment-before", "(c) MX.Example.NET ;", "mx.example.net", true},
      {"nested-comment-and-crlf-fold", "\r\n\t(a (nested) comment)\r\n mx.example.net;",
       "mx.example.net", true},
      {"lf-folding", "\n mx.example.net\n\t; dkim=pass", "mx.example.net", true},
      {"with-version", "mx.example.net 1; none", "mx.example.net", true},
      {"version-after-comment", "mx.example.net(comment)1; none", "mx.example.net", true},
      {"quoted-id", "\"mx.example.net\"; none", "mx.example.net", true},
      {"quoted-id-other-case-and-escape", "\"MX.exam\\ple.net\"; none", "mx.example.net", true},
      {"tab-before", "\tmx.example.net;none", "mx.example.net", true},
      // Liberal on purpose: a lenient reader could stop at the tspecial and take it for ours.
      {"tspecial-after-id", "mx.example.net/evil; spf=pass", "mx.example.net", true},
      {"unbalanced-comment-after-id", "mx.example.net (oops; spf=pass", "mx.example.net", true},
      {"longer-id-starting-with-ours", "mx.example.net.evil; spf=pass", "mx.example.net.evil",
       false},
      {"ours-as-suffix", "evil.mx.example.net; spf=pass", "evil.mx.example.net", false},
      {"prefix-of-ours", "mx.example.ne; spf=pass", "mx.example.ne", false},
      {"ours-only-inside-comment", "(mx.example.net) other.example; none", "other.example", false},
      {"ours-as-property", "other.example; spf=pass smtp.mailfrom=mx.example.net", "other.example",
       false},
      {"unbalanced-comment-before", "(unbalanced mx.example.net; none", std::nullopt, true},
      {"escaped-paren-leaves-comment-open", "(a\\) mx.example.net; none", std::nullopt, true},
      {"escaped-backslash-closes-comment", "(a\\\\) mx.example.net; none", "mx.example.net", true},
      {"unterminated-quote", "\"mx.example.net; none", std::nullopt, true},
      {"empty-value", "", std::nullopt, false},
      {"blanks-only", " \r\n\t ", std::nullopt, false},
      {"semicolon-first", "; spf=pass", std::nullopt, false},
      {"comment-only", "(mx.example.net)", std::nullopt, false},
      {"empty-quoted-id", "\"\"; none", std::nullopt, false},
      {"nesting-at-limit", nested_comments(16), "mx.example.net", true},
      {"nesting-beyond-limit", nested_comments(17), std::nullopt, true},
      // Malformed but naming another host, or ours only inside a longer name: kept.
      {"unbalanced-comment-other-host", "(a(b) other.example; none", std::nullopt, false},
      {"unbalanced-comment-ours-as-suffix", "(a(b) evil.mx.example.net; none", std::nullopt, false},
      {"unbalanced-comment-ours-as-prefix", "(a(b) mx.example.net.evil; none", std::nullopt, false},
      {"unbalanced-comment-ours-at-end", "(a(b) MX.example.NET", std::nullopt, true},
      {"overlong-id", std::string(600, 'a') + "; none", std::nullopt, false},
      {"nul-before", std::string("\0mx.example.net; none", 21), std::nullopt, false},
  };
  return table;
}

TEST(AuthservIdOf, ForgedFieldDetectionTable) {
  for (const AuthservIdCase& c : cases()) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(authserv_id_of(c.field_value), c.expected_id);
    EXPECT_EQ(carries_authserv_id(c.field_value, kOurs), c.carries_ours);
  }
}

TEST(CarriesAuthservId, ComparesCaseInsensitively) {
  EXPECT_TRUE(carries_authserv_id("mx.example.net; none", "MX.EXAMPLE.NET"));
  EXPECT_TRUE(carries_authserv_id("\"mx example\"; none", "MX Example"));
  EXPECT_FALSE(carries_authserv_id("mx.example.net; none", ""));
  EXPECT_FALSE(carries_authserv_id("; none", ""));
}

TEST(CarriesAuthservId, RecognisesWhatWeFormat) {
  for (const char* ours : {"mx.example.net", "MX.Example.NET", "mx example", "a\"b\\c"}) {
    SCOPED_TRACE(ours);
    EXPECT_TRUE(carries_authserv_id(format_authres(ours, {}), ours));
    EXPECT_TRUE(carries_authserv_id(
        format_authres(ours, {{"spf", "pass", "c", "r", {{"smtp", "mailfrom", "x"}}}}), ours));
  }
}

}  // namespace
}  // namespace authmilter::authres
