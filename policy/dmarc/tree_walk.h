// tree_walk.h - the RFC 9989 §4.10 DNS Tree Walk and the Organizational Domain it yields.
//
// tree_walk_targets(d) lists the names a walk starting at d queries: d itself, then (x = label
// count) one label fewer while x < 8, or straight to the last 7 labels when x >= 8, down to
// the single top-level label - never more than kMaxTreeWalkQueries names.
// walk_tree() runs the walk through a RecordSource, stopping early at a record with psd=y or
// psd=n, and picks the Organizational Domain (RFC 9989 §4.10.2):
//   1. a record with psd=n: that name;
//   2. a record with psd=y at a name other than the start: the name one label below it (on
//      the path of the start name);
//   3. otherwise the name with the fewest labels among the records found;
//   4. no record at all: the start name itself.
// Several DMARC records at one name are discarded (as if none). A DNS temporary failure before
// the walk ends sets temporary_failure: the Organizational Domain is then unknown.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dmarc/org_domain.h"
#include "dmarc/record_lookup.h"

namespace authmilter::dmarc {

inline constexpr std::size_t kMaxTreeWalkQueries = 8;      // RFC 9989 §4.10
inline constexpr std::size_t kTreeWalkShortcutLabels = 7;  // RFC 9989 §4.10 step 4

std::vector<std::string> tree_walk_targets(std::string_view domain);

struct TreeWalkResult {
  bool temporary_failure = false;
  std::string reason;                     // the DNS failure, when temporary_failure
  std::vector<std::string> record_names;  // names with one DMARC record, longest first
  std::optional<std::string> psd_domain;  // where a psd=y record stopped the walk
  std::string org_domain;                 // rules 1-4 above
  bool org_from_records = false;          // false: rule 4 (no record anywhere)
};

TreeWalkResult walk_tree(std::string_view start, RecordSource& source);

class TreeWalkOrgDomainFinder : public OrgDomainFinder {
 public:
  explicit TreeWalkOrgDomainFinder(RecordSource& source) : source_(source) {}
  OrgDomainAnswer find(std::string_view domain) override;

 private:
  RecordSource& source_;
};

}  // namespace authmilter::dmarc
