// evaluate.h - DMARC evaluation of one author domain: the module's main entry.
//
// evaluate_dmarc(input, resolver, options) takes plain values (the Author Domain, the SPF
// MAIL FROM domain and whether SPF passed, the d= of every DKIM pass) and returns a
// DmarcResult. Order (RFC 9989 §5.3): normalise the Author Domain -> policy discovery (tree
// walk, or PSL in RFC 7489 mode) -> identifier alignment (SPF, then each DKIM domain) ->
// pass/fail -> the policy that applies (p/sp/np, then t=y or pct).
// Codes (RFC 8601 dmarc= vocabulary):
//   none      - no DMARC record applies (or the Author Domain is empty)
//   permerror - a record was found but cannot be applied (RFC 9989 §4.10.1: no valid p/sp/np
//               and no usable rua; over our bounds), or the Author Domain is malformed
//   temperror - a DNS failure kept discovery or alignment from concluding (never pass)
//   pass      - an aligned SPF or DKIM pass;  fail - a record applies and nothing aligned
// `requested` is what the domain asks for this message: none unless code == fail.
// The resolver is borrowed for the call; every query goes through it (memoised per call).
// RFC 7489 mode needs a PSL: options.psl, or loaded once from options.psl_path.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dmarc/org_domain.h"
#include "dmarc/policy_selection.h"
#include "dmarc/record.h"
#include "dns/resolver.h"

namespace authmilter::dmarc {

enum class DmarcCode { pass, fail, none, temperror, permerror };
enum class DiscoveryMethod { treewalk, psl };  // RFC 9990 reports carry it

const char* to_string(DmarcCode code);
const char* to_string(DiscoveryMethod method);

inline constexpr std::size_t kMaxDkimDomains = 16;  // our bound on d= values considered

struct DmarcInput {
  std::string from_domain;  // the Author Domain (A-labels), see from_address.h
  std::string spf_domain;   // RFC5321.MailFrom domain that SPF evaluated
  bool spf_pass = false;
  std::vector<std::string> dkim_pass_domains;  // d= of each DKIM signature that passed
  // DNS failures of identifiers that might have passed: SPF temperror for spf_domain, and the
  // d= of each DKIM signature whose key lookup failed (temperror). When nothing aligned passes
  // but one of these aligns with the Author Domain, the result is temperror, not fail: a DNS
  // outage must not turn the author's own signed mail into a DMARC reject. The caller leaves
  // them empty when the sender could have caused them (a spent per-message DNS budget).
  bool spf_temperror = false;
  std::vector<std::string> dkim_temperror_domains;
};

struct DmarcOptions {
  DmarcMode mode = DmarcMode::rfc9989;
  std::string psl_path;                         // RFC 7489 mode; empty: kDefaultPslPath
  std::shared_ptr<const PublicSuffixList> psl;  // RFC 7489 mode; preferred over psl_path
  PercentSampler sampler;                       // pct sampling; empty: random
};

struct DmarcResult {
  DmarcCode code = DmarcCode::none;
  std::string from_domain;    // normalised Author Domain
  std::string policy_domain;  // where the applied record was found
  std::string org_domain;     // Author Domain's Organizational Domain, when determined
  std::optional<DmarcRecord> record;
  Disposition published = Disposition::none;  // p/sp/np value that applies
  Disposition requested = Disposition::none;  // after t=y / pct; none unless fail
  PolicySource policy_source = PolicySource::p;
  bool spf_aligned = false;
  bool dkim_aligned = false;
  std::string aligned_dkim_domain;
  std::string reason;
  DiscoveryMethod discovery = DiscoveryMethod::treewalk;
  int dns_queries = 0;  // DMARC TXT queries made
};

DmarcResult evaluate_dmarc(const DmarcInput& input, dns::Resolver& resolver,
                           const DmarcOptions& options);

// strictest_result - for MultipleFromPolicy::strictest: a fail with the strongest requested
// disposition first, then temperror, permerror, fail/none..., pass last. Empty input: none.
DmarcResult strictest_result(const std::vector<DmarcResult>& results);

}  // namespace authmilter::dmarc
