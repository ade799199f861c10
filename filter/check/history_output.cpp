// history_output.cpp - see history_output.h.
#include "check/history_output.h"

#include <cstdio>
#include <ctime>

namespace authmilter::check {

namespace {

using decision::Action;
constexpr Action kActions[] = {Action::deliver, Action::quarantine, Action::reject,
                               Action::tempfail};

std::string utc(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string count_map_text(const std::map<std::string, std::int64_t>& counts) {
  std::string text;
  for (const auto& [name, count] : counts)
    text += (text.empty() ? "" : ", ") + name + " " + std::to_string(count);
  return text;
}

std::string count_map_json(const std::map<std::string, std::int64_t>& counts) {
  std::string out = "{";
  for (const auto& [name, count] : counts)
    out += (out.size() > 1 ? "," : "") + json_string(name) + ":" + std::to_string(count);
  return out + "}";
}

std::string string_list_json(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) out += (out.size() > 1 ? "," : "") + json_string(item);
  return out + "]";
}

void append_table_text(const replay::HistorySummary& s, std::string& out) {
  char line[128];
  std::snprintf(line, sizeof line, "  %-20s %10s %10s %10s %10s\n", "recorded \\ candidate",
                "accept", "quarantine", "reject", "tempfail");
  out += line;
  for (Action from : kActions) {
    const auto& row = s.table[static_cast<std::size_t>(from)];
    std::snprintf(line, sizeof line, "  %-20s %10lld %10lld %10lld %10lld\n",
                  replay::action_word(from), static_cast<long long>(row[0]),
                  static_cast<long long>(row[1]), static_cast<long long>(row[2]),
                  static_cast<long long>(row[3]));
    out += line;
  }
}

void append_changes_text(const replay::HistorySummary& s, std::string& out) {
  if (s.top_changes.empty()) return;
  out += "\nPolicy domains whose mail changes most:\n";
  for (const auto& domain : s.top_changes) {
    out += "  " + domain.policy_domain + ": " + std::to_string(domain.changed) + " of " +
           std::to_string(domain.messages) + " change (" + count_map_text(domain.transitions) +
           "); reasons: " + count_map_text(domain.reasons) + "\n";
    for (const auto& example : domain.examples)
      out += "    " + utc(example.time) + " client " +
             (example.client_ip.empty() ? "-" : example.client_ip) + " From " +
             example.from_domain + " queue " + (example.queue_id.empty() ? "-" : example.queue_id) +
             ": " + example.results + " => " + replay::action_word(example.from) + " -> " +
             replay::action_word(example.to) +
             (example.reasons.empty() ? "" : " (" + example.reasons + ")") + "\n";
  }
}

void append_failing_text(const replay::HistorySummary& s, std::string& out) {
  if (s.top_failing.empty()) return;
  out += "\nTop failing domains (as recorded):\n";
  for (const auto& domain : s.top_failing)
    out += "  " + domain.policy_domain + ": " + std::to_string(domain.messages) + " messages, " +
           std::to_string(domain.dmarc_failed) + " failed DMARC, " +
           std::to_string(domain.rejected) + " rejected, " + std::to_string(domain.quarantined) +
           " quarantined\n";
}

void append_settings_text(const HistoryReport& report, std::string& out) {
  out += "\nSettings the candidate changes:\n";
  if (report.changes.empty()) out += "  none\n";
  for (const auto& change : report.changes)
    out += "  " + change.path + ": " + change.running + " -> " + change.candidate + "  [" +
           to_string(change.replay) + (change.note.empty() ? "" : ": " + change.note) + "]\n";
  const auto unjudged = unjudged_for_old_rows(report);
  if (!unjudged.empty() && report.summary.not_judged_before_facts > 0) {
    out += "Not judged for the " + std::to_string(report.summary.not_judged_before_facts) +
           " DMARC-fail messages recorded before schema version 2:";
    for (const auto& path : unjudged) out += " " + path;
    out += "\n";
  }
}

}  // namespace

bool is_summary_only(const HistoryReport& report) {
  return report.candidate_path == report.running_path;
}

std::vector<std::string> unjudged_for_old_rows(const HistoryReport& report) {
  std::vector<std::string> paths;
  for (const auto& change : report.changes)
    if (change.replay == SettingReplay::replayed) paths.push_back(change.path);
  return paths;
}

std::string format_history_text(const HistoryReport& report) {
  const auto& s = report.summary;
  const auto& recorded = s.recorded;
  std::string out = std::string(is_summary_only(report) ? "Summary of " : "Replay of ") +
                    utc(report.since) + " .. " + utc(report.until) + " UTC (store schema " +
                    std::to_string(report.schema_version) + ")\n";
  out += "running: " + report.running_path + "\n";
  if (!is_summary_only(report)) out += "candidate: " + report.candidate_path + "\n";
  out += std::to_string(s.records) + " messages evaluated: " + std::to_string(recorded[0]) +
         " accepted, " + std::to_string(recorded[1]) + " quarantined, " +
         std::to_string(recorded[2]) + " rejected; " + std::to_string(s.dmarc_failed) +
         " failed DMARC\n";
  out += "replayed " + std::to_string(s.judged) + ", not judged " +
         std::to_string(s.not_judged_before_facts + s.not_judged_arc) +
         " (recorded before schema version 2: " + std::to_string(s.not_judged_before_facts) +
         "; ARC instances not recorded: " + std::to_string(s.not_judged_arc) + "), unreadable " +
         std::to_string(s.unreadable) + "\n";
  for (const auto& example : s.unreadable_examples) out += "  unreadable: " + example + "\n";
  out += "\nDispositions, recorded -> candidate (replayed messages):\n";
  append_table_text(s, out);
  out += "changed: " + std::to_string(s.changed) + "\n";
  append_changes_text(s, out);
  append_failing_text(s, out);
  if (!is_summary_only(report)) append_settings_text(report, out);
  return out;
}

std::string format_history_json(const HistoryReport& report) {
  const auto& s = report.summary;
  std::string out = "{";
  out += "\"since\":" + std::to_string(report.since) +
         ",\"until\":" + std::to_string(report.until) +
         ",\"schema_version\":" + std::to_string(report.schema_version) +
         ",\"running\":" + json_string(report.running_path) +
         ",\"candidate\":" + json_string(report.candidate_path);
  out += ",\"records\":" + std::to_string(s.records) + ",\"replayed\":" + std::to_string(s.judged) +
         ",\"not_judged_before_schema_2\":" + std::to_string(s.not_judged_before_facts) +
         ",\"not_judged_arc\":" + std::to_string(s.not_judged_arc) +
         ",\"unreadable\":" + std::to_string(s.unreadable) +
         ",\"unreadable_examples\":" + string_list_json(s.unreadable_examples) +
         ",\"dmarc_failed\":" + std::to_string(s.dmarc_failed) +
         ",\"changed\":" + std::to_string(s.changed);
  out += ",\"recorded\":{";
  for (Action action : kActions)
    out += std::string(action == Action::deliver ? "" : ",") +
           json_string(replay::action_word(action)) + ":" +
           std::to_string(s.recorded[static_cast<std::size_t>(action)]);
  out += "},\"table\":[";
  bool first = true;
  for (Action from : kActions)
    for (Action to : kActions) {
      const auto count = s.table[static_cast<std::size_t>(from)][static_cast<std::size_t>(to)];
      if (count == 0) continue;
      out += std::string(first ? "" : ",") + "{\"from\":" + json_string(replay::action_word(from)) +
             ",\"to\":" + json_string(replay::action_word(to)) +
             ",\"count\":" + std::to_string(count) + "}";
      first = false;
    }
  out += "],\"top_changes\":[";
  for (std::size_t i = 0; i < s.top_changes.size(); ++i) {
    const auto& domain = s.top_changes[i];
    out += std::string(i ? "," : "") + "{\"policy_domain\":" + json_string(domain.policy_domain) +
           ",\"messages\":" + std::to_string(domain.messages) +
           ",\"changed\":" + std::to_string(domain.changed) +
           ",\"transitions\":" + count_map_json(domain.transitions) +
           ",\"reasons\":" + count_map_json(domain.reasons) + ",\"examples\":[";
    for (std::size_t j = 0; j < domain.examples.size(); ++j) {
      const auto& e = domain.examples[j];
      out += std::string(j ? "," : "") + "{\"time\":" + std::to_string(e.time) +
             ",\"client_ip\":" + json_string(e.client_ip) +
             ",\"from_domain\":" + json_string(e.from_domain) +
             ",\"results\":" + json_string(e.results) + ",\"queue_id\":" + json_string(e.queue_id) +
             ",\"from\":" + json_string(replay::action_word(e.from)) +
             ",\"to\":" + json_string(replay::action_word(e.to)) +
             ",\"reasons\":" + json_string(e.reasons) + "}";
    }
    out += "]}";
  }
  out += "],\"top_failing\":[";
  for (std::size_t i = 0; i < s.top_failing.size(); ++i) {
    const auto& d = s.top_failing[i];
    out += std::string(i ? "," : "") + "{\"policy_domain\":" + json_string(d.policy_domain) +
           ",\"messages\":" + std::to_string(d.messages) +
           ",\"dmarc_failed\":" + std::to_string(d.dmarc_failed) +
           ",\"rejected\":" + std::to_string(d.rejected) +
           ",\"quarantined\":" + std::to_string(d.quarantined) + "}";
  }
  out += "],\"settings\":[";
  for (std::size_t i = 0; i < report.changes.size(); ++i) {
    const auto& c = report.changes[i];
    out += std::string(i ? "," : "") + "{\"path\":" + json_string(c.path) +
           ",\"running\":" + json_string(c.running) + ",\"candidate\":" + json_string(c.candidate) +
           ",\"replay\":" + json_string(to_string(c.replay)) + ",\"note\":" + json_string(c.note) +
           "}";
  }
  out += "],\"not_judged_for_old_rows\":" + string_list_json(unjudged_for_old_rows(report));
  return out + "}\n";
}

}  // namespace authmilter::check
