#include "dmarc/external_destination.h"

#include <vector>

#include "common/domain_name.h"
#include "dmarc/domain_name.h"
#include "dmarc/record.h"

namespace authmilter::dmarc {

bool is_external_destination(std::string_view policy_domain, const ReportUri& uri,
                             OrgDomainFinder& finder) {
  const auto policy = normalize_domain(policy_domain);
  if (!policy || uri.domain.empty()) return true;
  if (is_same_or_subdomain(uri.domain, *policy)) return false;
  const auto policy_org = finder.find(*policy);
  const auto uri_org = finder.find(uri.domain);
  if (policy_org.temporary_failure || uri_org.temporary_failure) return true;
  return policy_org.domain != uri_org.domain;
}

ExternalVerification verify_external_destination(std::string_view policy_domain,
                                                 std::string_view uri_domain,
                                                 dns::Resolver& resolver) {
  ExternalVerification out;
  const auto policy = normalize_domain(policy_domain);
  const auto target = normalize_domain(uri_domain);
  if (!policy || !target) {
    out.reason = "malformed domain";
    return out;
  }
  const auto name = *policy + "._report._dmarc." + *target;
  if (!normalize_domain(name)) {
    out.reason = "authorization name too long: " + name.substr(0, 64) + "...";
    return out;
  }
  const auto answer = resolver.lookup_txt(name);
  if (answer.temporary_failure()) {
    out.status = ExternalAuthorization::temperror;
    out.reason = name + ": " + dns::to_string(answer.outcome);
    return out;
  }
  if (answer.truncated) {  // a cut answer may hide a second record or part of this one
    out.reason = "authorization answer at " + name + " cut at a size bound";
    return out;
  }
  std::vector<const std::string*> records;
  for (const auto& text : answer.records) {
    if (is_dmarc_record(text)) records.push_back(&text);
  }
  if (records.size() != 1) {
    out.reason = records.empty() ? "no authorization record at " + name
                                 : "several authorization records at " + name;
    return out;
  }
  out.status = ExternalAuthorization::authorized;
  const auto parsed = parse_record(*records.front(), DmarcMode::rfc9989);
  out.override_rua = parsed.record.rua;
  out.override_ruf = parsed.record.ruf;
  return out;
}

}  // namespace authmilter::dmarc
