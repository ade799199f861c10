// aggregate_report.cpp - rows -> reports; see aggregate_report.h.
#include "report/aggregate_report.h"

#include <algorithm>
#include <cstdio>

namespace authmilter::report {

namespace {

// FNV-1a, 64 bit: stable across runs, machines and library versions (std::hash is not).
std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = 0xcbf29ce484222325ULL) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

std::int64_t AggregateReport::message_count() const {
  std::int64_t total = 0;
  for (const auto& row : rows) total += row.count;
  return total;
}

std::string report_id_for(const std::string& submitter, const ReportSlot& slot,
                          const std::string& policy_key, std::int64_t first_id) {
  std::uint64_t hash = fnv1a(submitter);
  hash = fnv1a("|" + slot.policy_domain + "|" + std::to_string(slot.begin) + "|" +
                   std::to_string(slot.end) + "|",
               hash);
  hash = fnv1a(policy_key, hash);
  hash = fnv1a("|" + std::to_string(first_id), hash);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return std::to_string(slot.begin) + hex;
}

std::vector<AggregateReport> group_reports(const std::string& submitter, const ReportSlot& slot,
                                           std::vector<RecordGroup> rows) {
  std::vector<AggregateReport> reports;
  for (auto& row : rows) {
    if (reports.empty() || reports.back().policy_key != row.policy_key ||
        reports.back().claim != row.claim) {
      AggregateReport report;
      report.slot = slot;
      report.policy_key = row.policy_key;
      report.claim = row.claim;
      report.policy = row.record.policy;
      report.first_id = row.first_id;
      report.last_id = row.last_id;
      reports.push_back(std::move(report));
    }
    AggregateReport& report = reports.back();
    report.first_id = std::min(report.first_id, row.first_id);
    report.last_id = std::max(report.last_id, row.last_id);
    report.rows.push_back(std::move(row));
  }
  for (auto& report : reports)
    report.report_id = report_id_for(submitter, slot, report.policy_key, report.first_id);
  return reports;
}

}  // namespace authmilter::report
