#include "evaluation/dmarc_step.h"

#include "evaluation/arc_vouch.h"

namespace authmilter::evaluation {

namespace {

// The identifiers DMARC aligns (RFC 9989 §4.4): the SPF-checked MAIL FROM domain (HELO when
// the reverse-path is null, as SPF itself does) and the d= of every DKIM pass.
dmarc::DmarcInput alignment_input(const DmarcStepInput& input) {
  dmarc::DmarcInput out;
  if (input.spf != nullptr && *input.spf) {
    out.spf_domain = (*input.spf)->domain;
    out.spf_pass = (*input.spf)->code == spf::SpfCode::pass;
    out.spf_temperror = !input.dns_budget_spent && (*input.spf)->code == spf::SpfCode::temperror;
  }
  if (input.dkim != nullptr) {
    for (const auto& result : *input.dkim) {
      if (result.code == dkim::DkimCode::temperror && !input.dns_budget_spent &&
          out.dkim_temperror_domains.size() < dmarc::kMaxDkimDomains)
        out.dkim_temperror_domains.push_back(result.domain);
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

bool all_authors_are(const std::vector<std::string>& authors, const std::string& domain) {
  if (authors.empty() || domain.empty()) return false;
  for (const auto& author : authors)
    if (author != domain) return false;
  return true;
}

// What one sealer's ARC-Authentication-Results vouch for: a dmarc=pass for every author
// domain, or identifiers that make DMARC pass under the author's record; empty otherwise.
std::string vouched_evidence(const ArcVouchCandidate& view, const std::vector<std::string>& authors,
                             dns::Resolver& resolver, const dmarc::DmarcOptions& options) {
  if (all_authors_are(authors, view.dmarc_pass_from))
    return "dmarc=pass header.from=" + view.dmarc_pass_from;
  dmarc::DmarcInput seen;
  seen.spf_domain = view.spf_pass_domain;
  seen.spf_pass = !view.spf_pass_domain.empty();
  seen.dkim_pass_domains = view.dkim_pass_domains;
  if (!seen.spf_pass && seen.dkim_pass_domains.empty()) return {};
  const dmarc::DmarcResult result = evaluate_domains(authors, seen, resolver, options);
  if (result.code != dmarc::DmarcCode::pass) return {};
  return result.dkim_aligned ? "dkim=pass header.d=" + result.aligned_dkim_domain
                             : "spf=pass smtp.mailfrom=" + seen.spf_domain;
}

// Every recorded instance's evidence, newest first (the newest kRecordedArcSealers, and the
// running policy's trusted ones past them).
std::vector<decision::ArcSealerEvidence> arc_evidence(const DmarcStepInput& input,
                                                      const std::vector<std::string>& authors,
                                                      dns::Resolver& resolver,
                                                      const dmarc::DmarcOptions& options,
                                                      const decision::LocalPolicy& policy) {
  std::vector<decision::ArcSealerEvidence> evidence;
  if (input.arc == nullptr) return evidence;
  for (const auto& view :
       arc_sealer_views(*input.arc, kRecordedArcSealers, policy.trusted_arc_sealers))
    evidence.push_back(
        {view.instance, view.sealer, vouched_evidence(view, authors, resolver, options)});
  return evidence;
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
    if (step.authors.verdict == AuthorVerdict::evaluate &&
        step.result->code == dmarc::DmarcCode::fail) {
      step.arc_sealers = arc_evidence(input, step.authors.domains, resolver, options, policy);
      facts.trusted_arc =
          decision::select_trusted_vouch(step.arc_sealers, policy.trusted_arc_sealers).vouch;
    }
  }
  if (input.arc != nullptr) step.arc_result = arc::to_string(input.arc->code);
  step.decision = decision::decide(facts, policy);
  step.facts = std::move(facts);
  return step;
}

}  // namespace authmilter::evaluation
