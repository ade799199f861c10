// history_output.h - authmilter-check --history's report, as text or as one JSON object.
//
// Pure formatting of a HistoryReport: the window, the counts, the from -> to table, the domains
// whose mail changes most with examples, the top failing domains, the changed settings with how
// each was handled, and the settings that could not be judged for old rows. JSON (RFC 8259)
// carries the same data with every string escaped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "check/setting_changes.h"
#include "replay/history_summary.h"

namespace authmilter::check {

struct HistoryReport {
  std::int64_t since = 0;
  std::int64_t until = 0;  // exclusive
  int schema_version = 0;
  std::string running_path;
  std::string candidate_path;  // equal to running_path: the running config's summary
  replay::HistorySummary summary;
  std::vector<SettingChange> changes;
};

bool is_summary_only(const HistoryReport& report);
// The replayed settings the candidate changes: old DMARC-fail rows cannot judge them.
std::vector<std::string> unjudged_for_old_rows(const HistoryReport& report);

std::string format_history_text(const HistoryReport& report);
std::string format_history_json(const HistoryReport& report);

}  // namespace authmilter::check
