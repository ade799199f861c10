#include "dmarc/evaluate.h"

#include <algorithm>
#include <optional>

#include "dmarc/alignment.h"
#include "dmarc/discovery.h"
#include "dmarc/domain_name.h"
#include "dmarc/record_lookup.h"
#include "dmarc/tree_walk.h"

namespace authmilter::dmarc {

namespace {

struct AlignmentOutcome {
  bool aligned = false;
  bool undetermined = false;
  std::string undetermined_reason;
};

void note(const AlignmentCheck& check, AlignmentOutcome& outcome) {
  if (check.result == Alignment::undetermined && !outcome.undetermined) {
    outcome.undetermined = true;
    outcome.undetermined_reason = check.reason;
  }
}

// align - SPF (MAIL FROM) first, then every DKIM pass d= until one aligns.
AlignmentOutcome align(const DmarcInput& input, const DmarcRecord& record, OrgDomainFinder& finder,
                       DmarcResult& result) {
  AlignmentOutcome outcome;
  if (input.spf_pass && !input.spf_domain.empty()) {
    const auto check = check_alignment(result.from_domain, input.spf_domain, record.aspf, finder);
    result.spf_aligned = check.result == Alignment::aligned;
    note(check, outcome);
  }
  std::size_t considered = 0;
  for (const auto& domain : input.dkim_pass_domains) {
    if (++considered > kMaxDkimDomains) break;
    const auto check = check_alignment(result.from_domain, domain, record.adkim, finder);
    note(check, outcome);
    if (check.result == Alignment::aligned) {
      result.dkim_aligned = true;
      result.aligned_dkim_domain = *normalize_domain(domain);
      break;
    }
  }
  outcome.aligned = result.spf_aligned || result.dkim_aligned;
  if (outcome.aligned || outcome.undetermined) return outcome;
  // Nothing aligned passed: an aligned identifier that could not be checked (DNS temperror)
  // leaves the result undetermined rather than fail.
  auto undetermined_by = [&](const std::string& domain, AlignmentMode mode, std::string why) {
    if (check_alignment(result.from_domain, domain, mode, finder).result != Alignment::aligned)
      return false;
    outcome.undetermined = true;
    outcome.undetermined_reason = std::move(why);
    return true;
  };
  if (input.spf_temperror && !input.spf_domain.empty() &&
      undetermined_by(input.spf_domain, record.aspf, "SPF temperror for " + input.spf_domain))
    return outcome;
  considered = 0;
  for (const auto& domain : input.dkim_temperror_domains) {
    if (++considered > kMaxDkimDomains) break;
    if (undetermined_by(domain, record.adkim, "DKIM temperror for d=" + domain)) break;
  }
  return outcome;
}

void decide(const AlignmentOutcome& outcome, DmarcResult& result) {
  if (outcome.aligned) {
    result.code = DmarcCode::pass;
    result.reason = result.dkim_aligned ? "aligned DKIM pass d=" + result.aligned_dkim_domain
                                        : "aligned SPF pass";
  } else if (outcome.undetermined) {
    result.code = DmarcCode::temperror;
    result.reason = outcome.undetermined_reason;
  } else {
    result.code = DmarcCode::fail;
    result.reason = "no aligned SPF or DKIM pass";
  }
}

void apply_policy(const DmarcInput&, dns::Resolver& resolver, const DmarcOptions& options,
                  DmarcResult& result) {
  const DmarcRecord& record = *result.record;
  const bool own = result.from_domain == result.policy_domain;
  DomainExistence existence = DomainExistence::exists;
  // Only a failing subdomain under a record with np needs the existence query.
  if (result.code == DmarcCode::fail && !own && record.np) {
    existence = check_existence(result.from_domain, resolver);
  }
  const auto choice = select_policy(record, own, existence, options.mode, options.sampler);
  result.published = choice.published;
  result.policy_source = choice.source;
  result.requested = result.code == DmarcCode::fail ? choice.requested : Disposition::none;
  if (result.code == DmarcCode::fail && choice.downgraded) {
    result.reason += options.mode == DmarcMode::rfc9989 ? " (t=y: policy lowered one level)"
                                                        : " (pct sampling: policy lowered)";
  }
}

DmarcResult with_code(DmarcResult result, DmarcCode code, std::string reason) {
  result.code = code;
  result.reason = std::move(reason);
  return result;
}

// evaluate_found - alignment and policy once a usable record has been discovered.
DmarcResult evaluate_found(const DmarcInput& input, dns::Resolver& resolver,
                           const DmarcOptions& options, const PublicSuffixList* psl,
                           RecordSource& source, DmarcResult result) {
  std::optional<PslOrgDomainFinder> psl_finder;
  std::optional<TreeWalkOrgDomainFinder> walk_finder;
  OrgDomainFinder& finder = psl != nullptr
                                ? static_cast<OrgDomainFinder&>(psl_finder.emplace(*psl))
                                : static_cast<OrgDomainFinder&>(walk_finder.emplace(source));
  decide(align(input, *result.record, finder, result), result);
  if (result.org_domain.empty()) {
    if (const auto org = finder.find(result.from_domain); !org.temporary_failure) {
      result.org_domain = org.domain;
    }
  }
  apply_policy(input, resolver, options, result);
  result.dns_queries = source.queries();
  return result;
}

}  // namespace

DmarcResult evaluate_dmarc(const DmarcInput& input, dns::Resolver& resolver,
                           const DmarcOptions& options) {
  DmarcResult result;
  const bool psl_mode = options.mode == DmarcMode::rfc7489;
  result.discovery = psl_mode ? DiscoveryMethod::psl : DiscoveryMethod::treewalk;
  if (input.from_domain.empty()) return with_code(result, DmarcCode::none, "no author domain");
  const auto author = normalize_domain(input.from_domain);
  if (!author) return with_code(result, DmarcCode::permerror, "malformed author domain");
  result.from_domain = *author;

  auto psl = options.psl;
  if (psl_mode && !psl) {
    auto loaded = load_shared_public_suffix_list(options.psl_path);
    if (!loaded) return with_code(result, DmarcCode::temperror, loaded.error());
    psl = *loaded;
  }
  RecordSource source(resolver, options.mode);
  auto discovery = psl_mode ? discover_policy_psl(*author, source, *psl)
                            : discover_policy_treewalk(*author, source);
  result.dns_queries = source.queries();
  result.org_domain = discovery.org_domain;
  if (discovery.status == DiscoveryStatus::temperror) {
    return with_code(result, DmarcCode::temperror, discovery.reason);
  }
  if (discovery.status == DiscoveryStatus::none) {
    return with_code(result, DmarcCode::none, discovery.reason);
  }
  result.policy_domain = discovery.policy_domain;
  result.record = discovery.parse.record;
  if (discovery.parse.status != RecordStatus::valid) {
    return with_code(result, DmarcCode::permerror,
                     "_dmarc." + discovery.policy_domain + ": " + discovery.parse.reason);
  }
  return evaluate_found(input, resolver, options, psl.get(), source, std::move(result));
}

const char* to_string(DmarcCode code) {
  switch (code) {
    case DmarcCode::pass:
      return "pass";
    case DmarcCode::fail:
      return "fail";
    case DmarcCode::none:
      return "none";
    case DmarcCode::temperror:
      return "temperror";
    case DmarcCode::permerror:
      return "permerror";
  }
  return "none";
}

const char* to_string(DiscoveryMethod method) {
  return method == DiscoveryMethod::psl ? "psl" : "treewalk";
}

DmarcResult strictest_result(const std::vector<DmarcResult>& results) {
  const auto rank = [](const DmarcResult& r) {
    switch (r.code) {
      case DmarcCode::fail:
        return 10 + static_cast<int>(r.requested);
      case DmarcCode::temperror:
        return 5;
      case DmarcCode::permerror:
        return 4;
      case DmarcCode::none:
        return 3;  // an unauthenticated co-author must not let the message count as pass
      case DmarcCode::pass:
        return 1;
    }
    return 0;
  };
  if (results.empty()) return with_code(DmarcResult{}, DmarcCode::none, "no author domain");
  return *std::max_element(results.begin(), results.end(),
                           [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
}

}  // namespace authmilter::dmarc
