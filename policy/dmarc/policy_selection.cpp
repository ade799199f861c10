#include "dmarc/policy_selection.h"

#include <random>

namespace authmilter::dmarc {

namespace {

Disposition one_level_down(Disposition d) {
  return d == Disposition::reject ? Disposition::quarantine : Disposition::none;
}

// Tries one address family or MX: nullopt when the answer says nothing (temporary failure).
std::optional<DomainExistence> existence_from(dns::Outcome outcome) {
  switch (outcome) {
    case dns::Outcome::nxdomain:
      return DomainExistence::nonexistent;
    case dns::Outcome::ok:
    case dns::Outcome::nodata:
      return DomainExistence::exists;
    default:
      return std::nullopt;
  }
}

}  // namespace

const char* to_string(PolicySource source) {
  switch (source) {
    case PolicySource::p:
      return "p";
    case PolicySource::sp:
      return "sp";
    case PolicySource::np:
      return "np";
  }
  return "p";
}

PercentSampler default_percent_sampler() {
  return [] {
    thread_local std::mt19937 engine{std::random_device{}()};
    return std::uniform_int_distribution<int>(0, 99)(engine);
  };
}

DomainExistence check_existence(std::string_view domain, dns::Resolver& resolver) {
  if (auto e = existence_from(resolver.lookup_addresses(domain, net::IpFamily::v4).outcome)) {
    return *e;
  }
  if (auto e = existence_from(resolver.lookup_addresses(domain, net::IpFamily::v6).outcome)) {
    return *e;
  }
  if (auto e = existence_from(resolver.lookup_mx(domain).outcome)) return *e;
  return DomainExistence::unknown;
}

PolicyChoice select_policy(const DmarcRecord& record, bool author_is_policy_domain,
                           DomainExistence existence, DmarcMode mode,
                           const PercentSampler& sampler) {
  PolicyChoice choice;
  choice.published = record.policy();
  if (!author_is_policy_domain) {
    const Disposition subdomain = record.sp.value_or(record.policy());
    choice.published = subdomain;
    choice.source = record.sp ? PolicySource::sp : PolicySource::p;
    const bool np_applies =
        record.np && (existence == DomainExistence::nonexistent ||
                      (existence == DomainExistence::unknown && *record.np > subdomain));
    if (np_applies) {
      choice.published = *record.np;
      choice.source = PolicySource::np;
    }
  }
  choice.requested = choice.published;
  if (mode == DmarcMode::rfc9989 && record.testing) {
    choice.requested = one_level_down(choice.published);
  } else if (mode == DmarcMode::rfc7489 && record.pct < 100) {
    const int sample = sampler ? sampler() : default_percent_sampler()();
    if (sample >= record.pct) choice.requested = one_level_down(choice.published);
  }
  choice.downgraded = choice.requested != choice.published;
  return choice;
}

}  // namespace authmilter::dmarc
