// Conformance: the RFC 6376 Appendix A example and the RFC 8463 Appendix A example, every
// message streamed in 1, 7, 64 and 65536-byte body chunks.
#include <gtest/gtest.h>

#include "dkim_test_support.h"

namespace authmilter::dkim::testing {
namespace {

// Verifies `file` at every chunk size; returns the codes, or "chunking changed the result".
std::string codes_at_all_chunk_sizes(const DkimLibrary& library, dns::ZoneResolver& zone,
                                     const std::string& file) {
  const std::string raw = read_file(file);
  std::string first;
  for (std::size_t chunk : kChunkSizes) {
    const std::string codes = codes_of(verify_message(library, zone, raw, chunk));
    if (first.empty()) first = codes;
    if (codes != first) return "chunk size " + std::to_string(chunk) + " gave " + codes;
  }
  return first;
}

TEST(DkimConformance, Rfc6376Examples) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  dns::ZoneResolver zone;
  load_tab_records(zone, data_path("rfc6376/dns-records.txt"));
  SuiteScore score("rfc6376");
  for (const auto& row : read_tsv(data_path("rfc6376/cases.tsv"))) {
    ASSERT_GE(row.size(), 2u);
    const std::string codes =
        codes_at_all_chunk_sizes(*library, zone, data_path("rfc6376/" + row[0]));
    if (codes == row[1]) {
      score.pass();
    } else {
      score.fail(row[0], "expected " + row[1] + ", got " + codes);
    }
  }
  score.print();
  EXPECT_EQ(score.failed(), 0);
  EXPECT_EQ(score.passed(), 3);
}

TEST(DkimConformance, Rfc8463Example) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  dns::ZoneResolver zone;
  load_tab_records(zone, data_path("rfc8463/dns-records.txt"));
  const std::string raw = read_file(data_path("rfc8463/rfc8463-a3-signed.eml"));
  SuiteScore score("rfc8463");
  for (std::size_t chunk : kChunkSizes) {
    const auto results = verify_message(*library, zone, raw, chunk);
    for (const auto& row : read_tsv(data_path("rfc8463/cases.tsv"))) {
      ASSERT_GE(row.size(), 5u);
      const std::size_t index = std::stoul(row[1]);
      const std::string id = row[0] + "#" + row[1] + " chunk " + std::to_string(chunk);
      if (index >= results.size()) {
        score.fail(id, "signature missing");
      } else if (std::string(to_string(results[index].code)) != row[4] ||
                 results[index].domain + "/" + results[index].selector != row[2]) {
        score.fail(id, "expected " + row[4] + " for " + row[2] + ", got " + describe(results));
      } else {
        score.pass();
      }
    }
  }
  score.print();
  EXPECT_EQ(score.failed(), 0);
  EXPECT_EQ(score.passed(), 8);
}

TEST(DkimConformance, Rfc8463ReportsAlgorithmsAndKeySizes) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  dns::ZoneResolver zone;
  load_tab_records(zone, data_path("rfc8463/dns-records.txt"));
  const auto results =
      verify_message(*library, zone, read_file(data_path("rfc8463/rfc8463-a3-signed.eml")), 64);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(results[0].key_bits, 256u);
  EXPECT_EQ(results[1].algorithm, "rsa-sha256");
  EXPECT_EQ(results[1].key_bits, 1024u);
  EXPECT_EQ(results[0].identity, "@football.example.com");
  EXPECT_GE(results[0].signature_prefix.size(), 8u);
  EXPECT_NE(results[0].signature_prefix, results[1].signature_prefix);
}

}  // namespace
}  // namespace authmilter::dkim::testing
