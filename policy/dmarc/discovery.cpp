#include "dmarc/discovery.h"

#include <algorithm>
#include <vector>

#include "dmarc/tree_walk.h"

namespace authmilter::dmarc {

namespace {

PolicyDiscovery found_at(const RecordLookup& lookup) {
  PolicyDiscovery out;
  out.status = DiscoveryStatus::found;
  out.policy_domain = lookup.domain;
  out.parse = lookup.parse;
  return out;
}

PolicyDiscovery failed(DiscoveryStatus status, std::string reason) {
  PolicyDiscovery out;
  out.status = status;
  out.reason = std::move(reason);
  return out;
}

}  // namespace

PolicyDiscovery discover_policy_treewalk(const std::string& author, RecordSource& source) {
  const auto& own = source.lookup(author);
  if (own.status == LookupStatus::found) return found_at(own);
  if (own.status == LookupStatus::temperror) return failed(DiscoveryStatus::temperror, own.reason);
  // The walk re-uses the (cached) answer for the author itself, then climbs.
  const auto walk = walk_tree(author, source);
  if (walk.temporary_failure) return failed(DiscoveryStatus::temperror, walk.reason);
  const auto& names = walk.record_names;
  PolicyDiscovery out;
  if (std::find(names.begin(), names.end(), walk.org_domain) != names.end()) {
    out = found_at(source.lookup(walk.org_domain));
  } else if (walk.psd_domain) {
    out = found_at(source.lookup(*walk.psd_domain));
  } else {
    out = failed(DiscoveryStatus::none, "no DMARC record for " + author + " or above");
    if (!names.empty()) {
      out.reason +=
          " (records below the organizational domain " + walk.org_domain + " do not apply)";
    }
  }
  out.org_domain = walk.org_domain;
  return out;
}

PolicyDiscovery discover_policy_psl(const std::string& author, RecordSource& source,
                                    const PublicSuffixList& psl) {
  const std::string org = psl.org_domain(author);
  std::vector<std::string> names{author};
  if (org != author) names.push_back(org);
  for (const auto& name : names) {
    const auto& lookup = source.lookup(name);
    switch (lookup.status) {
      case LookupStatus::found: {
        auto out = found_at(lookup);
        out.org_domain = org;
        return out;
      }
      case LookupStatus::temperror:
        return failed(DiscoveryStatus::temperror, lookup.reason);
      case LookupStatus::multiple:
        // RFC 7489 §6.6.3 step 5: "policy discovery terminates".
        return failed(DiscoveryStatus::none, lookup.reason);
      case LookupStatus::none:
        break;
    }
  }
  auto out = failed(DiscoveryStatus::none, "no DMARC record for " + author);
  out.org_domain = org;
  return out;
}

}  // namespace authmilter::dmarc
