#include "decision/decision.h"

#include <algorithm>

#include "common/domain_name.h"

namespace authmilter::decision {

namespace {

using dmarc::Disposition;

// RFC 3463 / RFC 7372: 5.7.1 "delivery not authorized, message refused"; there is no
// DMARC-specific temporary code, so a DNS failure gets the generic 4.7.0.
constexpr const char* kRejectCode = "550";
constexpr const char* kRejectEnhanced = "5.7.1";
constexpr const char* kTempfailCode = "451";
constexpr const char* kTempfailEnhanced = "4.7.0";

// The From domain is normalised already; still, nothing but host-name characters may reach the
// reply line.
std::string reply_safe_domain(const std::string& domain) {
  std::string safe;
  for (char c : domain.substr(0, kMaxDomainNameLength)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    safe += ok ? c : '?';
  }
  return safe.empty() ? "(unknown)" : safe;
}

std::string reject_text(const LocalPolicy& policy, const std::string& domain) {
  std::string text;
  const std::string& pattern = policy.reject_text;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 'd') {
      text += reply_safe_domain(domain);
      ++i;
    } else {
      const unsigned char c = static_cast<unsigned char>(pattern[i]);
      text += (c >= 0x20 && c < 0x7f) ? pattern[i] : ' ';
    }
  }
  return text;
}

bool is_forwarder(const DecisionInput& input, const ForwarderList& forwarders, std::string* who) {
  if (input.client) {
    for (const auto& network : forwarders.networks)
      if (network.contains(*input.client)) {
        *who = "client " + input.client->to_string();
        return true;
      }
  }
  for (const auto& domain : forwarders.domains) {
    if (!input.spf_pass_domain.empty() && is_same_or_subdomain(input.spf_pass_domain, domain)) {
      *who = "SPF pass for " + input.spf_pass_domain;
      return true;
    }
    for (const auto& dkim : input.dkim_pass_domains)
      if (is_same_or_subdomain(dkim, domain)) {
        *who = "DKIM pass for " + dkim;
        return true;
      }
  }
  return false;
}

// The override for the message's authors: with several author domains, the strictest result
// names only one of them, and a lenient override for a co-author listed first must not relax the
// verdict on the others. So an override counts only when every author domain falls under it.
const DomainOverride* authors_override(const DecisionInput& input, const LocalPolicy& policy) {
  if (input.author_domains.empty()) return find_override(input.dmarc.from_domain, policy);
  const DomainOverride* shared = find_override(input.author_domains.front(), policy);
  for (const auto& domain : input.author_domains)
    if (find_override(domain, policy) != shared) return nullptr;
  return shared;
}

// A requested p=reject under the reject mode: reject, or quarantine with the reason.
Disposition apply_reject_mode(const DecisionInput& input, RejectMode mode,
                              const LocalPolicy& policy, Decision& decision) {
  if (mode == RejectMode::honor) return Disposition::reject;
  if (mode == RejectMode::never) {
    decision.overrides.push_back({OverrideReason::local_policy, "reject: never"});
    return Disposition::quarantine;
  }
  std::string who;
  if (input.signs.list_headers)
    decision.overrides.push_back({OverrideReason::mailing_list, "List-Id/List-Post present"});
  else if (is_forwarder(input, policy.forwarders, &who))
    decision.overrides.push_back({OverrideReason::trusted_forwarder, who});
  else if (!input.signs.arc_pass_sealer.empty())
    decision.overrides.push_back(
        {OverrideReason::forwarded, "ARC chain passes, sealed by " + input.signs.arc_pass_sealer});
  else
    return Disposition::reject;
  return Disposition::quarantine;
}

Disposition dmarc_disposition(const DecisionInput& input, const LocalPolicy& policy,
                              Decision& decision) {
  const auto& dmarc = input.dmarc;
  Disposition requested = dmarc.requested;
  if (input.author == dmarc::AuthorVerdict::fail) {
    requested = std::max(requested, Disposition::quarantine);
    decision.overrides.push_back({OverrideReason::local_policy, "ambiguous From: treated as fail"});
  } else if (dmarc.code != dmarc::DmarcCode::fail) {
    return Disposition::none;
  }
  if (requested < dmarc.published)
    decision.overrides.push_back({OverrideReason::sampled_out, "t=y or pct"});
  if (requested == Disposition::none) return requested;
  // What a trusted intermediary saw before it changed the message; never for an ambiguous From.
  if (input.trusted_arc && input.author != dmarc::AuthorVerdict::fail) {
    const TrustedArcVouch& vouch = *input.trusted_arc;
    decision.overrides.push_back({OverrideReason::trusted_forwarder,
                                  "ARC sealer " + vouch.sealer + " i=" +
                                      std::to_string(vouch.instance) + ": " + vouch.evidence});
    return Disposition::none;
  }
  if (requested != Disposition::reject) return requested;
  const DomainOverride* domain_rule = authors_override(input, policy);
  const RejectMode mode =
      domain_rule != nullptr && domain_rule->reject ? *domain_rule->reject : policy.reject;
  return apply_reject_mode(input, mode, policy, decision);
}

Disposition cap_by_override(Disposition disposition, const DecisionInput& input,
                            const LocalPolicy& policy, Decision& decision) {
  const DomainOverride* rule = authors_override(input, policy);
  if (rule == nullptr || !rule->max_disposition || disposition <= *rule->max_disposition)
    return disposition;
  decision.overrides.push_back(
      {OverrideReason::local_policy,
       "override for " + rule->domain + ": at most " + dmarc::to_string(*rule->max_disposition)});
  return *rule->max_disposition;
}

void set_reject(Decision& decision, std::string text) {
  decision.intended = Action::reject;
  decision.refusal = {.code = kRejectCode, .enhanced = kRejectEnhanced, .text = std::move(text)};
}

Disposition no_author_disposition(NoAuthorMode mode) {
  if (mode == NoAuthorMode::reject) return Disposition::reject;
  return mode == NoAuthorMode::quarantine ? Disposition::quarantine : Disposition::none;
}

// Author verdicts that stop before DMARC; true when handled.
bool decide_author(const DecisionInput& input, const LocalPolicy& policy, Decision& decision) {
  using dmarc::AuthorVerdict;
  if (input.author == AuthorVerdict::reject) {
    decision.disposition = Disposition::reject;
    set_reject(decision, "Message rejected: ambiguous From (several authors)");
    decision.why = "ambiguous From: " + input.author_reason;
    return true;
  }
  if (input.author != AuthorVerdict::no_author && input.author != AuthorVerdict::invalid)
    return false;
  decision.disposition = no_author_disposition(policy.no_author);
  decision.why = "no usable From: " + input.author_reason;
  if (decision.disposition == Disposition::reject)
    set_reject(decision, "Message rejected: no usable From address");
  else if (decision.disposition == Disposition::quarantine)
    decision.intended = Action::quarantine;
  return true;
}

void decide_dmarc(const DecisionInput& input, const LocalPolicy& policy, Decision& decision) {
  const auto& dmarc = input.dmarc;
  if (input.author != dmarc::AuthorVerdict::fail && dmarc.code == dmarc::DmarcCode::temperror) {
    decision.why = "DMARC temperror: " + dmarc.reason;
    if (policy.on_temperror == TemperrorMode::tempfail) {
      decision.intended = Action::tempfail;
      decision.refusal = {.code = kTempfailCode,
                          .enhanced = kTempfailEnhanced,
                          .text = "DMARC policy of " + reply_safe_domain(dmarc.from_domain) +
                                  " temporarily unavailable, try again later"};
    }
    return;
  }
  Disposition disposition = dmarc_disposition(input, policy, decision);
  disposition = cap_by_override(disposition, input, policy, decision);
  decision.disposition = disposition;
  decision.why = std::string("dmarc=") + dmarc::to_string(dmarc.code) + " for " +
                 (dmarc.from_domain.empty() ? "(none)" : dmarc.from_domain) + ", requested " +
                 dmarc::to_string(dmarc.requested) + ", applied " + dmarc::to_string(disposition);
  if (disposition == Disposition::reject)
    set_reject(decision, reject_text(policy, dmarc.from_domain));
  else if (disposition == Disposition::quarantine)
    decision.intended = Action::quarantine;
}

}  // namespace

const char* to_string(Action action) {
  switch (action) {
    case Action::deliver:
      return "deliver";
    case Action::quarantine:
      return "quarantine";
    case Action::reject:
      return "reject";
    case Action::tempfail:
      return "tempfail";
  }
  return "deliver";
}

const char* to_string(OverrideReason reason) {
  switch (reason) {
    case OverrideReason::forwarded:
      return "forwarded";
    case OverrideReason::sampled_out:
      return "sampled_out";
    case OverrideReason::trusted_forwarder:
      return "trusted_forwarder";
    case OverrideReason::mailing_list:
      return "mailing_list";
    case OverrideReason::local_policy:
      return "local_policy";
    case OverrideReason::other:
      return "other";
  }
  return "other";
}

const DomainOverride* find_override(const std::string& domain, const LocalPolicy& policy) {
  const DomainOverride* best = nullptr;
  for (const auto& rule : policy.overrides) {
    if (!is_same_or_subdomain(domain, rule.domain)) continue;
    if (best == nullptr || rule.domain.size() > best->domain.size()) best = &rule;
  }
  return best;
}

Decision decide(const DecisionInput& input, const LocalPolicy& policy) {
  Decision decision;
  if (!decide_author(input, policy, decision)) decide_dmarc(input, policy, decision);
  if (decision.intended == Action::quarantine) {
    decision.hold = policy.quarantine != QuarantineMode::header;
    decision.add_header = policy.quarantine != QuarantineMode::hold;
  }
  decision.dry_run = policy.dry_run;
  decision.action = policy.dry_run ? Action::deliver : decision.intended;
  if (policy.dry_run) decision.hold = decision.add_header = false;
  return decision;
}

}  // namespace authmilter::decision
