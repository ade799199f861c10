// record_codec.cpp - list columns <-> vectors; see record_codec.h.
#include "report/record_codec.h"

#include <charconv>

namespace authmilter::report {

namespace {

constexpr char kFieldSeparator = '\x1f';
constexpr char kEntrySeparator = '\x1e';

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  if (text.empty()) return parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

std::string join_entries(const std::vector<std::vector<std::string_view>>& entries) {
  std::string out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += kEntrySeparator;
    for (std::size_t j = 0; j < entries[i].size(); ++j) {
      if (j > 0) out += kFieldSeparator;
      out += entries[i][j];
    }
  }
  return out;
}

}  // namespace

std::string encode_dkim(const std::vector<DkimEntry>& entries) {
  std::vector<std::vector<std::string_view>> rows;
  rows.reserve(entries.size());
  for (const auto& entry : entries) rows.push_back({entry.domain, entry.selector, entry.result});
  return join_entries(rows);
}

std::vector<DkimEntry> decode_dkim(std::string_view text) {
  std::vector<DkimEntry> entries;
  for (auto entry : split(text, kEntrySeparator)) {
    const auto fields = split(entry, kFieldSeparator);
    if (fields.size() != 3 || entries.size() >= kMaxDkimPerRecord) continue;
    entries.push_back({std::string(fields[0]), std::string(fields[1]), std::string(fields[2])});
  }
  return entries;
}

std::string encode_overrides(const std::vector<PolicyOverrideEntry>& reasons) {
  std::vector<std::vector<std::string_view>> rows;
  rows.reserve(reasons.size());
  for (const auto& reason : reasons) rows.push_back({reason.type, reason.comment});
  return join_entries(rows);
}

std::vector<PolicyOverrideEntry> decode_overrides(std::string_view text) {
  std::vector<PolicyOverrideEntry> reasons;
  for (auto entry : split(text, kEntrySeparator)) {
    const auto fields = split(entry, kFieldSeparator);
    if (fields.size() != 2 || reasons.size() >= kMaxOverridesPerRecord) continue;
    reasons.push_back({std::string(fields[0]), std::string(fields[1])});
  }
  return reasons;
}

std::string encode_domains(const std::vector<std::string>& domains) {
  std::string out;
  for (const auto& domain : domains) {
    if (!out.empty()) out += kEntrySeparator;
    out += domain;
  }
  return out;
}

std::vector<std::string> decode_domains(std::string_view text) {
  std::vector<std::string> domains;
  for (auto part : split(text, kEntrySeparator))
    if (!part.empty()) domains.emplace_back(part);
  return domains;
}

std::string encode_arc_sealers(const std::vector<ArcSealerEntry>& sealers) {
  std::vector<std::string> instances;
  instances.reserve(sealers.size());
  for (const auto& sealer : sealers) instances.push_back(std::to_string(sealer.instance));
  std::vector<std::vector<std::string_view>> rows;
  for (std::size_t i = 0; i < sealers.size(); ++i)
    rows.push_back({instances[i], sealers[i].sealer, sealers[i].evidence});
  return join_entries(rows);
}

std::vector<ArcSealerEntry> decode_arc_sealers(std::string_view text) {
  std::vector<ArcSealerEntry> sealers;
  for (auto entry : split(text, kEntrySeparator)) {
    const auto fields = split(entry, kFieldSeparator);
    if (fields.size() != 3 || sealers.size() >= kMaxArcSealersPerRecord) continue;
    unsigned instance = 0;
    const auto [end, error] =
        std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), instance);
    if (error != std::errc{} || end != fields[0].data() + fields[0].size() || instance == 0 ||
        instance > kMaxArcSealersPerRecord)
      continue;
    sealers.push_back({instance, std::string(fields[1]), std::string(fields[2])});
  }
  return sealers;
}

std::string policy_key(const PublishedPolicy& policy) {
  const std::string pct = std::to_string(policy.pct);
  const std::vector<std::vector<std::string_view>> rows = {
      {policy.domain, policy.p, policy.sp, policy.np, policy.psd, policy.testing ? "y" : "n",
       policy.adkim, policy.aspf, pct, policy.fo, policy.discovery, policy.rua}};
  return join_entries(rows);
}

}  // namespace authmilter::report
