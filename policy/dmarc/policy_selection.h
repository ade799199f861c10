// policy_selection.h - which disposition a DMARC record requests for one author domain.
//
// select_policy() is pure given the existence answer and the sampler:
//   author domain == policy domain              -> p
//   author domain a non-existent subdomain      -> np, else sp, else p (RFC 9989 §4.7 np;
//                                                  RFC 9091 introduced np for RFC 7489 too)
//   author domain an existing subdomain         -> sp, else p
//   existence unknown (DNS failure) and np set  -> the stricter of np and sp/p, so that a
//                                                  DNS failure never weakens the policy
// then the test-mode downgrade, one level (reject -> quarantine -> none):
//   RFC 9989 mode: t=y (RFC 9989 §4.7);  RFC 7489 mode: pct < 100 and the sample (0-99)
//   >= pct (RFC 7489 §6.6.4). The sampler is injected so tests are deterministic.
// check_existence() asks A, then AAAA, then MX: NXDOMAIN means the name does not exist
// (RFC 9989 §3.2.9 via RFC 8020); NODATA or any record means it does.
#pragma once

#include <functional>
#include <string_view>

#include "dmarc/record.h"
#include "dns/resolver.h"

namespace authmilter::dmarc {

enum class PolicySource { p, sp, np };
enum class DomainExistence { exists, nonexistent, unknown };

const char* to_string(PolicySource source);

// PercentSampler - a uniformly random integer in [0, 99].
using PercentSampler = std::function<int()>;
PercentSampler default_percent_sampler();

DomainExistence check_existence(std::string_view domain, dns::Resolver& resolver);

struct PolicyChoice {
  Disposition published = Disposition::none;  // the p/sp/np value that applies
  PolicySource source = PolicySource::p;
  Disposition requested = Disposition::none;  // after t=y / pct
  bool downgraded = false;                    // t=y or pct sampling lowered it
};

PolicyChoice select_policy(const DmarcRecord& record, bool author_is_policy_domain,
                           DomainExistence existence, DmarcMode mode,
                           const PercentSampler& sampler);

}  // namespace authmilter::dmarc
