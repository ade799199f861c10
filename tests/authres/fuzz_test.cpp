// fuzz_test.cpp - a seeded, deterministic random-input loop over the reader and the writer.
//
// Random byte strings (biased towards the grammar's delimiters and controls) go through
// authserv_id_of() and parse_authres(); random results go through format_authres(). Every
// iteration checks the injection invariant and that our output always reads back.
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "authres/authres.h"
#include "authres/parse.h"
#include "injection_check.h"

namespace authmilter::authres {
namespace {

using testing::longest_line;
using testing::only_own_folds;

constexpr int kIterations = 20000;
constexpr std::uint32_t kSeed = 8601;

class RandomText {
 public:
  explicit RandomText(std::uint32_t seed) : engine_(seed) {}

  std::uint32_t below(std::uint32_t bound) { return engine_() % bound; }

  // Mostly grammar-significant characters, some arbitrary bytes (NUL, 8-bit, partial UTF-8).
  std::string bytes(std::size_t max_length) {
    static const std::string alphabet =
        "abcDEF019.-_@/:=;\"\\()  \t\r\n,<>[]?" + std::string("\0\x7f\xc3\xbc\xe2\x80\xa8\xff", 8);
    std::string out;
    const std::size_t length = below(static_cast<std::uint32_t>(max_length) + 1);
    for (std::size_t i = 0; i < length; ++i) {
      out += below(8) == 0 ? static_cast<char>(below(256)) : alphabet[below(alphabet.size())];
    }
    return out;
  }

  // A third plain random bytes; else a well-formed field with up to three byte mutations, so
  // that both the accepting and the rejecting paths of the parser are reached.
  std::string field_value() {
    if (below(3) == 0) return bytes(96);
    std::string out = well_formed_field();
    const std::uint32_t mutations = below(4);
    for (std::uint32_t i = 0; i < mutations && !out.empty(); ++i) {
      const std::size_t at = below(static_cast<std::uint32_t>(out.size()));
      const std::string insert = bytes(2);
      switch (below(3)) {
        case 0:
          out.erase(at, 1);
          break;
        case 1:
          out.insert(at, insert);
          break;
        default:
          out.replace(at, 1, insert);
          break;
      }
    }
    return out;
  }

  std::string well_formed_field() {
    static const std::vector<std::string> blanks = {" ", "\r\n\t", "\n ", " (c) ", "(a (b))"};
    static const std::vector<std::string> values = {
        "example.org", "user@example.org", "@example.org", "\"q \\\" x\"", "ab/c+d", "2001:db8::1"};
    std::string out = below(4) == 0 ? "\"MX.example.net\"" : "mx.example.net";
    if (below(4) == 0) out += " 1";
    if (below(8) == 0) return out + "; none";
    const std::uint32_t resinfos = 1 + below(3);
    for (std::uint32_t r = 0; r < resinfos; ++r) {
      out += ";" + blanks[below(blanks.size())] + keyword_text() + "=" + keyword_text();
      if (below(2) == 0) out += " (" + bytes(8) + ")";
      if (below(3) == 0) out += " reason=\"" + bytes(8) + "\"";
      const std::uint32_t properties = below(3);
      for (std::uint32_t p = 0; p < properties; ++p) {
        out += blanks[below(blanks.size())] + keyword_text() + "." + keyword_text() + "=" +
               values[below(values.size())];
      }
    }
    return out;
  }

  std::string keyword_text() {
    static const std::vector<std::string> names = {"spf", "DKIM", "header", "d", "pass", "smtp"};
    return names[below(names.size())];
  }

  std::string keyword() {
    static const std::vector<std::string> names = {"spf", "DKIM", "dmarc", "header", "d", "pass"};
    return below(3) == 0 ? bytes(12) : names[below(names.size())];
  }

  MethodResult method_result() {
    MethodResult result{keyword(), keyword(), bytes(40), bytes(40), {}, 0};
    if (below(4) == 0) result.method_version = static_cast<int>(below(3));
    const std::uint32_t properties = below(4);
    for (std::uint32_t i = 0; i < properties; ++i) {
      result.properties.push_back({keyword(), keyword(), bytes(below(20) == 0 ? 700 : 40)});
    }
    return result;
  }

 private:
  std::mt19937 engine_;
};

// Whatever we format must be safe and must read back with the same number of resinfos.
void check_formatted(const std::string& authserv_id, const std::vector<MethodResult>& results,
                     FoldStyle fold) {
  const std::string out = format_authres(authserv_id, results, fold);
  ASSERT_TRUE(only_own_folds(out, fold)) << out;
  ASSERT_LE(longest_line(out), 998u) << out;
  const auto parsed = parse_authres(out);
  ASSERT_TRUE(parsed.ok()) << parsed.error() << "\n" << out;
  ASSERT_EQ(parsed->results.size(), results.size()) << out;
  ASSERT_TRUE(authserv_id_of(out).has_value()) << out;
}

TEST(AuthresFuzz, RandomFieldValuesThroughTheReaders) {
  RandomText random(kSeed);
  int parsed_count = 0;
  for (int i = 0; i < kIterations; ++i) {
    const std::string value = random.field_value();
    if (const auto id = authserv_id_of(value)) {
      ASSERT_FALSE(id->empty());
      ASSERT_LE(id->size(), 512u);
      for (char c : *id) ASSERT_FALSE(c >= 'A' && c <= 'Z');
      ASSERT_TRUE(carries_authserv_id(value, *id));
    }
    const auto parsed = parse_authres(value);
    if (!parsed.ok()) continue;
    ++parsed_count;
    ASSERT_EQ(authserv_id_of(value), parsed->authserv_id);
    // Reading someone else's field and writing it again must stay safe.
    check_formatted(parsed->authserv_id, parsed->results, FoldStyle::crlf);
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::cout << "authres fuzz: " << parsed_count << " of " << kIterations
            << " random field values parsed\n";
  // The generator must reach the parser's accepting paths, or the loop proves little.
  EXPECT_GT(parsed_count, kIterations / 50);
}

TEST(AuthresFuzz, RandomResultsThroughTheFormatter) {
  RandomText random(kSeed + 1);
  for (int i = 0; i < kIterations; ++i) {
    std::vector<MethodResult> results;
    const std::uint32_t count = random.below(4);
    for (std::uint32_t r = 0; r < count; ++r) results.push_back(random.method_result());
    const std::string authserv_id = random.below(2) == 0 ? "mx.example.net" : random.bytes(30);
    check_formatted(authserv_id, results, random.below(2) == 0 ? FoldStyle::lf : FoldStyle::crlf);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace authmilter::authres
