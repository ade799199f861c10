// row_grouper_test.cpp - counting streamed rows into ReportRows, without a database.
#include "report/row_grouper.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace authmilter::report {
namespace {

// kGroupedColumns (14 tuple columns, the id, 12 policy columns), then the claim.
using Columns = std::array<std::string, 28>;

class FakeRow final : public SqlRowView {
 public:
  explicit FakeRow(const Columns& columns) : columns_(columns) {}
  std::size_t size() const override { return columns_.size(); }
  std::string_view column(std::size_t index) const override { return columns_[index]; }
  std::int64_t integer(std::size_t index) const override { return std::stoll(columns_[index]); }

 private:
  const Columns& columns_;
};

Columns row(const std::string& key, const std::string& ip, const std::string& header_from,
            std::int64_t id, std::int64_t claim = 0) {
  Columns c;
  c[0] = key;
  c[1] = ip;
  c[2] = header_from;
  c[9] = "none";
  c[14] = std::to_string(id);
  c[15] = "example.com";
  c[16] = "reject";
  c[20] = "1";
  c[23] = "50";
  c[27] = std::to_string(claim);
  return c;
}

TEST(RowGrouper, CountsEqualTuplesWithTheirSmallestAndLargestId) {
  RowGrouper grouper;
  for (const auto& columns :
       {row("k", "192.0.2.1", "a.example", 7), row("k", "192.0.2.2", "a.example", 3),
        row("k", "192.0.2.1", "a.example", 2), row("k", "192.0.2.1", "a.example", 9)})
    ASSERT_TRUE(grouper.add(FakeRow(columns)).ok());
  const auto rows = grouper.take();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].record.source_ip, "192.0.2.1");
  EXPECT_EQ(rows[0].count, 3);
  EXPECT_EQ(rows[0].first_id, 2);
  EXPECT_EQ(rows[0].last_id, 9);
  EXPECT_EQ(rows[1].count, 1);
  EXPECT_EQ(rows[1].first_id, 3);
  EXPECT_EQ(rows[0].policy_key, "k");
  EXPECT_EQ(rows[0].record.policy.domain, "example.com");
  EXPECT_EQ(rows[0].record.policy.pct, 50);
  EXPECT_TRUE(rows[0].record.policy.testing);
  EXPECT_TRUE(grouper.take().empty());  // take() starts over
}

// Fields are not merely concatenated: "ab"+"c" and "a"+"bc" are different tuples.
TEST(RowGrouper, KeepsTuplesApartThatConcatenateAlike) {
  RowGrouper grouper;
  ASSERT_TRUE(grouper.add(FakeRow(row("k", "ab", "c", 1))).ok());
  ASSERT_TRUE(grouper.add(FakeRow(row("k", "a", "bc", 2))).ok());
  EXPECT_EQ(grouper.take().size(), 2u);
}

// Ordered as SQL ORDER BY over the columns: policy key first, then field by field, a prefix
// before its extensions, bytes compared unsigned.
TEST(RowGrouper, OrdersByPolicyKeyThenFieldByField) {
  RowGrouper grouper;
  for (const auto& columns :
       {row("k2", "a", "x", 1), row("k1", "b", "x", 2), row("k1", "a", "y", 3),
        row("k1", "a", "\xc3\xa4", 4), row("k1", "ab", "x", 5), row("k1", "a", "x", 6)})
    ASSERT_TRUE(grouper.add(FakeRow(columns)).ok());
  const auto rows = grouper.take();
  std::vector<std::int64_t> ids;
  for (const auto& counted : rows) ids.push_back(counted.first_id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{6, 3, 4, 5, 2, 1}));
}

// Rows of two claims are two reports (report_run.cpp), even with equal tuples: within a policy
// key, claim before the other fields, in claim order (256 after 1: numeric, not text order).
TEST(RowGrouper, KeepsClaimsApartWithinAPolicyKey) {
  RowGrouper grouper;
  for (const auto& columns :
       {row("k1", "a", "x", 1, 256), row("k1", "a", "x", 2, 1), row("k1", "b", "x", 3, 1),
        row("k1", "a", "x", 4, 256), row("k0", "z", "x", 5, 256), row("k1", "a", "x", 6, 0)})
    ASSERT_TRUE(grouper.add(FakeRow(columns)).ok());
  const auto rows = grouper.take();
  std::vector<std::int64_t> claims;
  std::vector<std::int64_t> counts;
  for (const auto& counted : rows) {
    claims.push_back(counted.claim);
    counts.push_back(counted.count);
  }
  EXPECT_EQ(claims, (std::vector<std::int64_t>{256, 0, 1, 1, 256}));
  EXPECT_EQ(counts, (std::vector<std::int64_t>{1, 1, 1, 1, 2}));
}

TEST(RowGrouper, RefusesARowOfTheWrongShape) {
  class Short final : public SqlRowView {
   public:
    std::size_t size() const override { return 3; }
    std::string_view column(std::size_t) const override { return "x"; }
    std::int64_t integer(std::size_t) const override { return 0; }
  };
  RowGrouper grouper;
  EXPECT_FALSE(grouper.add(Short()).ok());
}

}  // namespace
}  // namespace authmilter::report
