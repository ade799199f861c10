// row_grouper.cpp - rows -> counted tuples; see row_grouper.h.
#include "report/row_grouper.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>

#include "report/record_codec.h"

namespace authmilter::report {

namespace {

constexpr std::size_t kKeyColumns = 14;  // policy_key .. overrides
constexpr std::size_t kIdColumn = 14;
constexpr std::size_t kClaimColumn = 27;  // NULL (not claimed) reads as 0
constexpr std::size_t kColumnCount = 28;

// Each field as its length, then its bytes: no byte of a field can be taken for a boundary.
void append_field(std::string& key, std::string_view field) {
  const auto length = static_cast<std::uint32_t>(field.size());
  char prefix[sizeof length];
  std::memcpy(prefix, &length, sizeof length);
  key.append(prefix, sizeof prefix);
  key.append(field);
}

// A claim as 8 bytes, most significant first: bytewise order is numeric order (claims >= 0).
void append_claim(std::string& key, std::int64_t claim) {
  char bytes[8];
  for (int i = 7; i >= 0; --i, claim >>= 8) bytes[i] = static_cast<char>(claim & 0xff);
  append_field(key, std::string_view(bytes, sizeof bytes));
}

std::string_view next_field(std::string_view& key) {
  std::uint32_t length = 0;
  std::memcpy(&length, key.data(), sizeof length);
  const std::string_view field = key.substr(sizeof length, length);
  key.remove_prefix(sizeof length + length);
  return field;
}

// Tuple order, field by field, as SQL ORDER BY over the columns compares them.
bool tuple_less(std::string_view a, std::string_view b) {
  while (!a.empty() && !b.empty()) {
    const std::string_view x = next_field(a), y = next_field(b);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

RecordGroup decode(const SqlRowView& c) {
  RecordGroup row;
  row.policy_key = c.column(0);
  row.claim = c.integer(kClaimColumn);
  auto& r = row.record;
  r.source_ip = c.column(1);
  r.header_from = c.column(2);
  r.envelope_from = c.column(3);
  r.envelope_to = decode_domains(c.column(4));
  r.spf_domain = c.column(5);
  r.spf_scope = c.column(6);
  r.spf_result = c.column(7);
  r.dkim = decode_dkim(c.column(8));
  r.disposition = c.column(9);
  r.dmarc_result = c.column(10);
  r.dkim_aligned = c.column(11);
  r.spf_aligned = c.column(12);
  r.overrides = decode_overrides(c.column(13));
  auto& p = r.policy;
  p.domain = c.column(15);
  p.p = c.column(16);
  p.sp = c.column(17);
  p.np = c.column(18);
  p.psd = c.column(19);
  p.testing = c.integer(20) != 0;
  p.adkim = c.column(21);
  p.aspf = c.column(22);
  p.pct = static_cast<int>(c.integer(23));
  p.fo = c.column(24);
  p.discovery = c.column(25);
  p.rua = c.column(26);
  return row;
}

}  // namespace

std::size_t RowGrouper::TextHash::operator()(std::string_view text) const noexcept {
  return std::hash<std::string_view>{}(text);
}

Status RowGrouper::add(const SqlRowView& row) {
  if (row.size() != kColumnCount) return Error{"store: unexpected column count"};
  key_.clear();
  append_field(key_, row.column(0));
  append_claim(key_, row.integer(kClaimColumn));  // a claim is a report of its own
  for (std::size_t c = 1; c < kKeyColumns; ++c) append_field(key_, row.column(c));
  const std::int64_t id = row.integer(kIdColumn);
  if (auto found = index_.find(std::string_view(key_)); found != index_.end()) {
    RecordGroup& counted = groups_[found->second].row;
    ++counted.count;
    counted.first_id = std::min(counted.first_id, id);
    counted.last_id = std::max(counted.last_id, id);
    return Ok{};
  }
  const auto inserted = index_.emplace(key_, groups_.size()).first;
  Group& group = groups_.emplace_back(Group{&inserted->first, decode(row)});
  group.row.count = 1;
  group.row.first_id = id;
  group.row.last_id = id;
  return Ok{};
}

std::vector<RecordGroup> RowGrouper::take() {
  std::sort(groups_.begin(), groups_.end(),
            [](const Group& a, const Group& b) { return tuple_less(*a.key, *b.key); });
  std::vector<RecordGroup> rows;
  rows.reserve(groups_.size());
  for (auto& group : groups_) rows.push_back(std::move(group.row));
  groups_.clear();
  index_.clear();
  return rows;
}

}  // namespace authmilter::report
