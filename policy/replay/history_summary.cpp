// history_summary.cpp - counting replayed records; see history_summary.h.
#include "replay/history_summary.h"

#include <algorithm>

#include "replay/recorded_decision.h"

namespace authmilter::replay {

namespace {

std::size_t index_of(decision::Action action) {
  return static_cast<std::size_t>(action);
}

std::string results_text(const report::ReportRecord& record) {
  std::string text = "dmarc=" + (record.facts ? record.facts->dmarc_code : record.dmarc_result);
  text += " spf=" + record.spf_result;
  if (!record.spf_domain.empty()) text += "(" + record.spf_domain + ")";
  if (record.dkim.empty()) text += " dkim=none";
  for (const auto& signature : record.dkim)
    text += " dkim=" + signature.result + "(" + signature.domain + ")";
  if (record.facts) {
    if (!record.facts->arc_result.empty()) {
      text += " arc=" + record.facts->arc_result;
      if (!record.facts->arc_sealer.empty()) text += "(" + record.facts->arc_sealer + ")";
    }
    if (record.facts->list_headers) text += " list-headers";
  }
  return text;
}

std::string reasons_text(const decision::Decision& decision) {
  std::string text;
  for (const auto& item : decision.overrides) {
    if (!text.empty()) text += "; ";
    text += decision::to_string(item.reason);
    if (!item.comment.empty()) text += ": " + item.comment;
  }
  return text;
}

}  // namespace

const char* action_word(decision::Action action) {
  return action == decision::Action::deliver ? "accept" : decision::to_string(action);
}

HistoryReplay::HistoryReplay(decision::LocalPolicy candidate) : candidate_(std::move(candidate)) {}

void HistoryReplay::add(const report::ReportRecord& record) {
  ++totals_.records;
  if (totals_.first_time == 0 || record.time < totals_.first_time) totals_.first_time = record.time;
  totals_.last_time = std::max(totals_.last_time, record.time);
  const ReplayedRecord replayed = replay_record(record, candidate_);
  if (replayed.status == ReplayStatus::unreadable) {
    ++totals_.unreadable;
    if (totals_.unreadable_examples.size() < kUnreadableExamples)
      totals_.unreadable_examples.push_back("time " + std::to_string(record.time) + " queue id '" +
                                            record.queue_id + "': " + replayed.missing);
    return;
  }
  DomainTally& tally = domains_[record.policy.domain];
  ++totals_.recorded[index_of(replayed.recorded)];
  const bool failed = record.dmarc_result != "pass";
  if (failed) {
    ++totals_.dmarc_failed;
    ++tally.failures.dmarc_failed;
  }
  ++tally.failures.messages;
  if (replayed.recorded == decision::Action::reject) ++tally.failures.rejected;
  if (replayed.recorded == decision::Action::quarantine) ++tally.failures.quarantined;
  if (replayed.status == ReplayStatus::not_judged) {
    ++(record.facts ? totals_.not_judged_arc : totals_.not_judged_before_facts);
    return;
  }
  ++totals_.judged;
  const decision::Action to = replayed.replayed.action;
  ++totals_.table[index_of(replayed.recorded)][index_of(to)];
  DomainChange& change = tally.change;
  ++change.messages;
  if (to == replayed.recorded) return;
  ++totals_.changed;
  ++change.changed;
  ++change.transitions[std::string(action_word(replayed.recorded)) + " -> " + action_word(to)];
  if (replayed.replayed.overrides.empty()) ++change.reasons["none"];
  for (const auto& item : replayed.replayed.overrides)
    ++change.reasons[decision::to_string(item.reason)];
  if (change.examples.size() < kExamplesPerDomain)
    change.examples.push_back({.time = record.time,
                               .client_ip = record.source_ip,
                               .from_domain = record.header_from,
                               .results = results_text(record),
                               .queue_id = record.queue_id,
                               .from = replayed.recorded,
                               .to = to,
                               .reasons = reasons_text(replayed.replayed)});
}

HistorySummary HistoryReplay::finish(std::size_t top_domains) const {
  HistorySummary summary = totals_;
  for (const auto& [domain, tally] : domains_) {
    if (tally.change.changed > 0) {
      summary.top_changes.push_back(tally.change);
      summary.top_changes.back().policy_domain = domain;
    }
    if (tally.failures.dmarc_failed > 0) {
      summary.top_failing.push_back(tally.failures);
      summary.top_failing.back().policy_domain = domain;
    }
  }
  // Most first; the domain name breaks ties so that the output is stable.
  std::sort(summary.top_changes.begin(), summary.top_changes.end(),
            [](const DomainChange& a, const DomainChange& b) {
              return a.changed != b.changed ? a.changed > b.changed
                                            : a.policy_domain < b.policy_domain;
            });
  std::sort(summary.top_failing.begin(), summary.top_failing.end(),
            [](const DomainFailures& a, const DomainFailures& b) {
              return a.dmarc_failed != b.dmarc_failed ? a.dmarc_failed > b.dmarc_failed
                                                      : a.policy_domain < b.policy_domain;
            });
  if (summary.top_changes.size() > top_domains) summary.top_changes.resize(top_domains);
  if (summary.top_failing.size() > top_domains) summary.top_failing.resize(top_domains);
  return summary;
}

}  // namespace authmilter::replay
