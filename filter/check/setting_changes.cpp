// setting_changes.cpp - classifying changed settings; see setting_changes.h.
#include "check/setting_changes.h"

#include <array>
#include <set>
#include <string_view>
#include <utility>

namespace authmilter::check {

namespace {

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix ||
         (path.starts_with(prefix) && path.size() > prefix.size() && path[prefix.size()] == '.');
}

bool is_replayed(std::string_view path) {
  for (std::string_view prefix : {"dmarc.reject", "dmarc.overrides", "dmarc.forwarders",
                                  "dmarc.dry_run", "arc.trusted_sealers"})
    if (under(path, prefix)) return true;
  return false;
}

bool has_no_effect(std::string_view path) {
  for (std::string_view prefix :
       {"dmarc.reject_text", "dmarc.quarantine", "dmarc.quarantine_header", "socket", "socket_mode",
        "socket_group", "user", "group", "pidfile", "probe_key_file", "listen_backlog",
        "milter_timeout", "syslog_facility", "authserv_id", "metrics", "store", "reports",
        "limits.max_connections"})
    if (under(path, prefix)) return true;
  return false;
}

// Why a setting cannot be judged from the records; the first matching prefix wins.
std::string not_replayable_reason(std::string_view path) {
  static const std::array<std::pair<std::string_view, std::string_view>, 11> kReasons = {{
      {"spf.reject_on_fail", "refused at RCPT TO, before any row is written"},
      {"spf.temperror", "refused at RCPT TO, before any row is written"},
      {"spf", "needs the SMTP session and DNS"},
      {"dkim", "needs the message and its keys"},
      {"arc", "needs the message's ARC header fields"},
      {"dmarc.multiple_from", "messages refused for their From have no row"},
      {"dmarc.no_from", "messages without a usable From have no row"},
      {"dmarc.temperror", "tempfailed messages have no row"},
      {"trusted_networks", "skipped clients have no row"},
      {"skip_authenticated", "skipped senders have no row"},
      {"limits", "refused before a decision, no row"},
  }};
  for (const auto& [prefix, reason] : kReasons)
    if (under(path, prefix)) return std::string(reason);
  if (under(path, "dns")) return "needs DNS";
  if (under(path, "dmarc")) return "needs DNS (discovery and alignment)";
  return "needs the message or DNS";
}

SettingChange classify(std::string path, std::string running, std::string candidate,
                       bool running_temperror_accepts) {
  SettingChange change{.path = std::move(path),
                       .running = std::move(running),
                       .candidate = std::move(candidate),
                       .replay = SettingReplay::not_replayable,
                       .note = ""};
  if (is_replayed(change.path) || (change.path == "dmarc.temperror" && running_temperror_accepts))
    change.replay = SettingReplay::replayed;
  else if (has_no_effect(change.path))
    change.replay = SettingReplay::no_effect;
  else
    change.note = not_replayable_reason(change.path);
  return change;
}

}  // namespace

const char* to_string(SettingReplay replay) {
  switch (replay) {
    case SettingReplay::replayed:
      return "replayed";
    case SettingReplay::no_effect:
      return "no effect on dispositions";
    case SettingReplay::not_replayable:
      return "not replayable from records";
  }
  return "not replayable from records";
}

std::vector<SettingChange> compare_settings(const conf::FlatSettings& running,
                                            const conf::FlatSettings& candidate,
                                            bool running_temperror_accepts) {
  std::set<std::string> paths;
  for (const auto& [path, value] : running) paths.insert(path);
  for (const auto& [path, value] : candidate) paths.insert(path);
  std::vector<SettingChange> changes;
  for (const auto& path : paths) {
    const auto was = running.find(path);
    const auto now = candidate.find(path);
    const std::string before = was == running.end() ? "(unset)" : was->second;
    const std::string after = now == candidate.end() ? "(unset)" : now->second;
    if (before != after)
      changes.push_back(classify(path, before, after, running_temperror_accepts));
  }
  return changes;
}

}  // namespace authmilter::check
