// Hostile input: random and adversarial bytes through every parser must give a defined
// outcome, stay within the bounds, and never crash (run under AUTHMILTER_SANITIZE too).
#include <gtest/gtest.h>

#include <random>

#include "dmarc/from_address.h"
#include "dmarc/record.h"
#include "dmarc/uri.h"

namespace authmilter::dmarc {
namespace {

std::string random_text(std::mt19937& rng, std::string_view alphabet, std::size_t max_length) {
  std::uniform_int_distribution<std::size_t> length(0, max_length);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out(length(rng), ' ');
  for (auto& c : out) c = alphabet[pick(rng)];
  return out;
}

TEST(Robustness, RecordParserOnRandomRecords) {
  std::mt19937 rng(9989);  // fixed seed: reproducible
  const std::string_view alphabet = "v=DMARC1;prejctquaninosfd:!,@.mailto% \t\x01\xff";
  int valid = 0;
  for (int i = 0; i < 3000; ++i) {
    const auto text = "v=DMARC1;" + random_text(rng, alphabet, 300);
    const auto parsed = parse_record(text, i % 2 ? DmarcMode::rfc7489 : DmarcMode::rfc9989);
    ASSERT_NE(parsed.status, RecordStatus::not_dmarc);
    EXPECT_LE(parsed.record.rua.uris.size(), kMaxReportUris);
    EXPECT_LE(parsed.record.problems.size(), kMaxTags + 1);
    if (parsed.status == RecordStatus::valid) ++valid;
  }
  EXPECT_GT(valid, 0);
}

TEST(Robustness, FromParserOnRandomHeaders) {
  std::mt19937 rng(5322);
  const std::string_view alphabet = "ab@.<>\"(),:;\\=?Q_ \t\r\n\x80\xc3\xa9";
  for (int i = 0; i < 2000; ++i) {
    const auto value = random_text(rng, alphabet, 200);
    const auto authors = parse_from_header(value);
    EXPECT_LE(authors.domains.size(), kMaxFromAddresses + 1);
    if (authors.status == FromStatus::ok) {
      EXPECT_EQ(authors.domains.size(), 1u) << value;
    }
    if (authors.status != FromStatus::ok) {
      EXPECT_FALSE(authors.reason.empty()) << value;
    }
  }
}

TEST(Robustness, UriListOnRandomValues) {
  std::mt19937 rng(3986);
  const std::string_view alphabet = "mailto:@a.b,!%0123456789kmgt/ \t";
  for (int i = 0; i < 3000; ++i) {
    const auto list = parse_uri_list(random_text(rng, alphabet, 400));
    EXPECT_LE(list.uris.size(), kMaxReportUris);
    for (const auto& uri : list.uris) {
      if (uri.usable) {
        EXPECT_FALSE(uri.domain.empty());
      }
      if (!uri.valid) {
        EXPECT_FALSE(uri.problem.empty());
      }
    }
  }
}

}  // namespace
}  // namespace authmilter::dmarc
