// discovery.h - DMARC policy discovery: which record applies to an Author Domain.
//
// discover_policy_treewalk() - RFC 9989 §4.10.1: the record at the Author Domain; else, after
//   a tree walk, the record at the Author Domain's Organizational Domain; else the record of
//   its Public Suffix Domain (the psd=y record that ended the walk). Several records at one
//   name are discarded (the walk continues past them).
// discover_policy_psl() - RFC 7489 §6.6.3: the record at the Author Domain; else the one at
//   its PSL Organizational Domain. Several records at a queried name end discovery (none).
// Both: a DNS temporary failure on a query the answer depends on -> temperror; nothing found
// -> none (RFC 9989: "MUST NOT apply the DMARC mechanism"). `parse` may be unusable: the
// caller reports permerror. Names must be normalised (domain_name.h).
#pragma once

#include <string>

#include "dmarc/org_domain.h"
#include "dmarc/record_lookup.h"

namespace authmilter::dmarc {

enum class DiscoveryStatus { found, none, temperror };

struct PolicyDiscovery {
  DiscoveryStatus status = DiscoveryStatus::none;
  std::string policy_domain;  // where the applied record was found
  RecordParse parse;          // the applied record (status == found)
  std::string org_domain;     // Author Domain's Organizational Domain, if discovery found it
  std::string reason;
};

PolicyDiscovery discover_policy_treewalk(const std::string& author, RecordSource& source);

PolicyDiscovery discover_policy_psl(const std::string& author, RecordSource& source,
                                    const PublicSuffixList& psl);

}  // namespace authmilter::dmarc
