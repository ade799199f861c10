#include "dmarc/tree_walk.h"

#include "dmarc/domain_name.h"

namespace authmilter::dmarc {

std::vector<std::string> tree_walk_targets(std::string_view domain) {
  std::vector<std::string> targets;
  std::size_t labels = label_count(domain);
  if (labels == 0) return targets;
  targets.emplace_back(domain);
  while (labels > 1 && targets.size() < kMaxTreeWalkQueries) {
    labels = labels >= kTreeWalkShortcutLabels + 1 ? kTreeWalkShortcutLabels : labels - 1;
    targets.push_back(last_labels(domain, labels));
  }
  return targets;
}

namespace {

// select_org_domain - RFC 9989 §4.10.2 rules 1-4 over a finished walk.
void select_org_domain(std::string_view start, const std::optional<std::string>& psd_n,
                       TreeWalkResult& result) {
  result.org_from_records = !result.record_names.empty();
  if (psd_n) {
    result.org_domain = *psd_n;
  } else if (result.psd_domain && *result.psd_domain != start) {
    result.org_domain = last_labels(start, label_count(*result.psd_domain) + 1);
  } else if (!result.record_names.empty()) {
    result.org_domain = result.record_names.back();  // fewest labels: found last
  } else {
    result.org_domain = std::string(start);
  }
}

}  // namespace

TreeWalkResult walk_tree(std::string_view start, RecordSource& source) {
  TreeWalkResult result;
  std::optional<std::string> psd_n;
  for (const auto& target : tree_walk_targets(start)) {
    const auto& found = source.lookup(target);
    if (found.status == LookupStatus::temperror) {
      result.temporary_failure = true;
      result.reason = found.reason;
      return result;
    }
    if (found.status != LookupStatus::found) continue;  // none, or several (discarded)
    result.record_names.push_back(target);
    const auto psd = found.parse.record.psd;
    if (psd == PsdFlag::no) {
      psd_n = target;
      break;
    }
    if (psd == PsdFlag::yes) {
      result.psd_domain = target;
      break;
    }
  }
  select_org_domain(start, psd_n, result);
  return result;
}

OrgDomainAnswer TreeWalkOrgDomainFinder::find(std::string_view domain) {
  OrgDomainAnswer answer;
  const auto walk = walk_tree(domain, source_);
  if (walk.temporary_failure) {
    answer.temporary_failure = true;
    answer.reason = walk.reason;
    return answer;
  }
  answer.domain = walk.org_domain;
  return answer;
}

}  // namespace authmilter::dmarc
