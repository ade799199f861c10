#include "spf/check_host.h"

#include <utility>

#include "spf/domain_name.h"

namespace authmilter::spf {

namespace {

SpfCode code_of(Qualifier qualifier) {
  switch (qualifier) {
    case Qualifier::pass:
      return SpfCode::pass;
    case Qualifier::fail:
      return SpfCode::fail;
    case Qualifier::softfail:
      return SpfCode::softfail;
    case Qualifier::neutral:
      return SpfCode::neutral;
  }
  return SpfCode::neutral;
}

HostOutcome outcome(SpfCode code, std::string reason) {
  HostOutcome o;
  o.code = code;
  o.reason = std::move(reason);
  return o;
}

}  // namespace

CheckHost::CheckHost(dns::Resolver& resolver, const SpfOptions& options, MacroInputs inputs)
    : resolver_(resolver), options_(options), inputs_(std::move(inputs)) {
  inputs_.validated_name = [this] { return validated_name_for_macro(); };
}

HostOutcome CheckHost::evaluate(const std::string& domain) {
  return check_host(domain, 0);
}

HostOutcome CheckHost::check_host(const std::string& domain, int depth) {
  if (depth > kMaxRecursionDepth) return outcome(SpfCode::permerror, "include/redirect too deep");
  RecordFetch fetch = fetch_record(domain);
  if (!fetch.record) return outcome(fetch.code, std::move(fetch.reason));
  return run_record(*fetch.record, domain, depth);
}

CheckHost::RecordFetch CheckHost::fetch_record(const std::string& domain) {
  RecordFetch fetch;
  const dns::TxtAnswer answer = resolver_.lookup_txt(domain);
  if (answer.temporary_failure()) {
    fetch.code = SpfCode::temperror;
    fetch.reason = std::string("DNS ") + dns::to_string(answer.outcome) + " for TXT " + domain;
    return fetch;
  }
  if (answer.truncated) {
    fetch.code = SpfCode::permerror;  // a dropped record could be a second SPF record
    fetch.reason = "TXT answer for " + domain + " too large";
    return fetch;
  }
  const std::string* found = nullptr;
  for (const std::string& text : answer.records) {
    if (!is_spf_record(text)) continue;  // other TXT records are none of our business
    if (found) {
      fetch.code = SpfCode::permerror;  // RFC 7208 §4.5
      fetch.reason = "more than one SPF record for " + domain;
      return fetch;
    }
    found = &text;
  }
  if (!found) {
    fetch.code = SpfCode::none;
    fetch.reason = "no SPF record for " + domain;
    return fetch;
  }
  Result<SpfRecord> parse = parse_record(*found);
  if (!parse) {
    fetch.code = SpfCode::permerror;
    fetch.reason = parse.error() + " (" + domain + ")";
    return fetch;
  }
  fetch.record = std::move(*parse);
  return fetch;
}

HostOutcome CheckHost::run_record(const SpfRecord& record, const std::string& domain, int depth) {
  for (const Mechanism& m : record.mechanisms) {
    TermResult term = evaluate_mechanism(m, domain, depth);
    switch (term.match) {
      case Match::no:
        continue;
      case Match::temperror:
        return outcome(SpfCode::temperror, std::move(term.reason));
      case Match::permerror:
        return outcome(SpfCode::permerror, std::move(term.reason));
      case Match::yes: {
        HostOutcome result = outcome(code_of(m.qualifier), "matched " + m.text);
        if (result.code == SpfCode::fail) {
          result.exp_spec = record.explanation;
          result.exp_domain = domain;
        }
        return result;
      }
    }
  }
  if (record.redirect) return follow_redirect(*record.redirect, domain, depth);
  return outcome(SpfCode::neutral, "no mechanism matched");  // RFC 7208 §4.7 default
}

HostOutcome CheckHost::follow_redirect(const std::string& spec, const std::string& domain,
                                       int depth) {
  if (auto limit = count_dns_term()) return outcome(SpfCode::permerror, limit->reason);
  const std::optional<std::string> target = expand_target(spec, domain);
  if (!target) return outcome(SpfCode::permerror, "redirect= target is not a domain name");
  // The exp= of this record is dropped: the target's own exp= explains its result (§6.2).
  HostOutcome inner = check_host(*target, depth + 1);
  if (inner.code == SpfCode::none)  // RFC 7208 §6.1
    return outcome(SpfCode::permerror, "redirect=" + *target + ": no SPF record");
  return inner;
}

CheckHost::TermResult CheckHost::evaluate_mechanism(const Mechanism& m, const std::string& domain,
                                                    int depth) {
  switch (m.kind) {
    case MechanismKind::all:
      return {Match::yes, {}};
    case MechanismKind::ip4:
    case MechanismKind::ip6:
      return {matches_cidr(inputs_.client, m) ? Match::yes : Match::no, {}};
    case MechanismKind::include:
      return match_include(m, domain, depth);
    default:
      break;
  }
  if (auto limit = count_dns_term()) return *limit;
  // Without a domain-spec the target is <domain> itself, which is never macro-expanded: a '%'
  // in it (from the sender, or an include expanded from %{l}) is just a character.
  const std::optional<std::string> target =
      m.domain_spec.empty() ? query_name(domain) : expand_target(m.domain_spec, domain);
  if (!target) return {Match::no, {}};  // no query can be made: treated as no such name
  switch (m.kind) {
    case MechanismKind::a:
      return match_a(m, *target);
    case MechanismKind::mx:
      return match_mx(m, *target);
    case MechanismKind::ptr:
      return match_ptr(*target);
    case MechanismKind::exists:
      return match_exists(*target);
    default:
      return {Match::permerror, "internal: unexpected mechanism"};
  }
}

std::optional<CheckHost::TermResult> CheckHost::count_dns_term() {
  if (++dns_terms_ <= options_.max_dns_terms) return std::nullopt;
  return TermResult{Match::permerror,
                    "more than " + std::to_string(options_.max_dns_terms) + " DNS-querying terms"};
}

std::optional<CheckHost::TermResult> CheckHost::count_void(dns::Outcome outcome) {
  if (outcome != dns::Outcome::nxdomain && outcome != dns::Outcome::nodata) return std::nullopt;
  if (++void_lookups_ <= options_.max_void_lookups) return std::nullopt;
  return TermResult{Match::permerror,
                    std::to_string(options_.max_void_lookups) + " void lookups exceeded"};
}

std::optional<std::string> CheckHost::expand_target(const std::string& spec,
                                                    const std::string& domain) {
  inputs_.domain = domain;
  const std::optional<std::string> expanded = expand_macros(spec, inputs_, MacroContext::domain);
  if (!expanded) return std::nullopt;
  return query_name(*expanded);
}

std::optional<std::string> CheckHost::query_name(const std::string& name) {
  std::string truncated = truncate_domain(name);
  if (!is_queryable_name(truncated)) return std::nullopt;
  return truncated;
}

}  // namespace authmilter::spf
