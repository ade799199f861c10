// history_summary.h - what a candidate local policy would have done to the recorded mail.
//
// HistoryReplay takes the store's records one at a time (add(); the record is not kept), replays
// each with recorded_decision.h and counts: a from -> to table of actions (what the MTA was told
// then -> what the candidate would tell it: accept, quarantine, reject, tempfail), the policy
// domains whose mail changes most with the candidate's override reasons and a few example rows
// (time, client address, From domain, results, queue id), the records it could not judge or
// read, and, for the running policy's summary, the domains with the most DMARC failures.
// Memory grows with the distinct policy domains, not with the rows. Not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "decision/decision.h"
#include "decision/local_policy.h"
#include "report/report_record.h"

namespace authmilter::replay {

inline constexpr std::size_t kActionCount = 4;  // decision::Action: deliver .. tempfail
inline constexpr std::size_t kExamplesPerDomain = 3;
inline constexpr std::size_t kUnreadableExamples = 5;

// "accept" for deliver, as an operator says it; the others as decision::to_string.
const char* action_word(decision::Action action);

struct ExampleRow {
  std::int64_t time = 0;
  std::string client_ip;
  std::string from_domain;
  std::string results;  // "dmarc=fail spf=pass(example.org) dkim=none arc=pass(lists.example)"
  std::string queue_id;
  decision::Action from = decision::Action::deliver;
  decision::Action to = decision::Action::deliver;
  std::string reasons;  // the candidate's override reasons and comments, "; "-joined
};

struct DomainChange {
  std::string policy_domain;
  std::int64_t messages = 0;  // judged messages of the domain
  std::int64_t changed = 0;
  std::map<std::string, std::int64_t> transitions;  // "reject -> quarantine" -> count
  std::map<std::string, std::int64_t> reasons;      // override reason word -> count ("none")
  std::vector<ExampleRow> examples;                 // at most kExamplesPerDomain
};

struct DomainFailures {
  std::string policy_domain;
  std::int64_t messages = 0;
  std::int64_t dmarc_failed = 0;
  std::int64_t rejected = 0;  // as recorded
  std::int64_t quarantined = 0;
};

struct HistorySummary {
  std::int64_t records = 0;
  std::int64_t judged = 0;
  std::int64_t not_judged_before_facts = 0;  // recorded before schema version 2, DMARC fail
  std::int64_t not_judged_arc = 0;           // trusted walk past the recorded ARC instances
  std::int64_t unreadable = 0;
  std::vector<std::string> unreadable_examples;
  std::int64_t first_time = 0;  // of the records read; 0 when none
  std::int64_t last_time = 0;
  // [from][to], judged records only, indexed by decision::Action.
  std::array<std::array<std::int64_t, kActionCount>, kActionCount> table{};
  std::array<std::int64_t, kActionCount> recorded{};  // every readable record, as recorded
  std::int64_t dmarc_failed = 0;
  std::int64_t changed = 0;
  std::vector<DomainChange> top_changes;    // most changed first, only domains with changes
  std::vector<DomainFailures> top_failing;  // most DMARC failures first, only with failures
};

class HistoryReplay {
 public:
  explicit HistoryReplay(decision::LocalPolicy candidate);
  void add(const report::ReportRecord& record);
  HistorySummary finish(std::size_t top_domains) const;

 private:
  struct DomainTally {
    DomainChange change;
    DomainFailures failures;
  };
  decision::LocalPolicy candidate_;
  HistorySummary totals_;
  std::unordered_map<std::string, DomainTally> domains_;
};

}  // namespace authmilter::replay
