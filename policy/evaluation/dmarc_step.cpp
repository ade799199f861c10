#include "evaluation/dmarc_step.h"

namespace authmilter::evaluation {

namespace {

// The identifiers DMARC aligns (RFC 9989 §4.4): the SPF-checked MAIL FROM domain (HELO when
// the reverse-path is null, as SPF itself does) and the d= of every DKIM pass.
dmarc::DmarcInput alignment_input(const DmarcStepInput& input) {
  dmarc::DmarcInput out;
  if (input.spf != nullptr && *input.spf) {
    out.spf_domain = (*input.spf)->domain;
    out.spf_pass = (*input.spf)->code == spf::SpfCode::pass;
  }
  if (input.dkim != nullptr) {
    for (const auto& result : *input.dkim) {
      if (result.code != dkim::DkimCode::pass) continue;
      if (out.dkim_pass_domains.size() >= dmarc::kMaxDkimDomains) break;
      out.dkim_pass_domains.push_back(result.domain);
    }
  }
  return out;
}

dmarc::DmarcResult evaluate_domains(const std::vector<std::string>& domains,
                                    const dmarc::DmarcInput& base, dns::Resolver& resolver,
                                    const dmarc::DmarcOptions& options) {
  std::vector<dmarc::DmarcResult> results;
  for (const auto& domain : domains) {
    dmarc::DmarcInput one = base;
    one.from_domain = domain;
    results.push_back(dmarc::evaluate_dmarc(one, resolver, options));
  }
  return dmarc::strictest_result(results);
}

}  // namespace

DmarcStep run_dmarc_step(const DmarcStepInput& input, dns::Resolver& resolver,
                         const dmarc::DmarcOptions& options, const decision::LocalPolicy& policy) {
  DmarcStep step;
  step.authors = dmarc::select_authors(input.from_values, policy.multiple_from);
  const dmarc::DmarcInput base = alignment_input(input);
  decision::DecisionInput facts;
  facts.author = step.authors.verdict;
  facts.author_reason = step.authors.reason;
  facts.author_domains = step.authors.domains;
  facts.signs = input.signs;
  facts.client = input.client;
  if (base.spf_pass) facts.spf_pass_domain = base.spf_domain;
  facts.dkim_pass_domains = base.dkim_pass_domains;
  using dmarc::AuthorVerdict;
  if (step.authors.verdict == AuthorVerdict::evaluate ||
      step.authors.verdict == AuthorVerdict::fail) {
    step.result = evaluate_domains(step.authors.domains, base, resolver, options);
    if (step.authors.verdict == AuthorVerdict::fail) {
      step.result->code = dmarc::DmarcCode::fail;
      step.result->reason = step.authors.reason;
    }
    facts.dmarc = *step.result;
  }
  step.decision = decision::decide(facts, policy);
  return step;
}

}  // namespace authmilter::evaluation
