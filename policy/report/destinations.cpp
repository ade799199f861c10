// destinations.cpp - rua -> authorized addresses; see destinations.h.
#include "report/destinations.h"

#include "dmarc/external_destination.h"
#include "dmarc/uri.h"

namespace authmilter::report {

namespace {

// RFC 7489 §7.1 step 3 (kept by RFC 9990 §4): an authorizing record's own rua= (ruf= for
// failure reports) replaces the original URI, but only its URIs on the same host may be used.
std::vector<Destination> replacements(const dmarc::ReportUri& original,
                                      const dmarc::UriList& override_list) {
  std::vector<Destination> chosen;
  for (const auto& uri : override_list.uris)
    if (uri.usable && uri.domain == original.domain) chosen.push_back({uri.address, uri.max_bytes});
  if (chosen.empty()) chosen.push_back({original.address, original.max_bytes});
  return chosen;
}

void add_unique(std::vector<Destination>& send, const Destination& destination) {
  for (const auto& chosen : send)
    if (chosen.address == destination.address) return;
  send.push_back(destination);
}

}  // namespace

DestinationPlan plan_destinations(const std::string& policy_domain, const std::string& uris,
                                  dmarc::OrgDomainFinder& finder, dns::Resolver& resolver,
                                  ReportUriKind kind) {
  DestinationPlan plan;
  const dmarc::UriList list = dmarc::parse_uri_list(uris);
  for (const auto& uri : list.uris) {
    if (!uri.usable) {
      plan.refused.push_back(uri.text + ": " + (uri.problem.empty() ? "not mailto" : uri.problem));
      continue;
    }
    if (!dmarc::is_external_destination(policy_domain, uri, finder)) {
      add_unique(plan.send, {uri.address, uri.max_bytes});
      continue;
    }
    const auto verified = dmarc::verify_external_destination(policy_domain, uri.domain, resolver);
    if (verified.status == dmarc::ExternalAuthorization::temperror) {
      plan.deferred.push_back(uri.address + ": " + verified.reason);
    } else if (verified.status != dmarc::ExternalAuthorization::authorized) {
      plan.refused.push_back(uri.address + ": no " + policy_domain + "._report._dmarc." +
                             uri.domain + " authorization record");
    } else {
      const auto& override_list =
          kind == ReportUriKind::failure ? verified.override_ruf : verified.override_rua;
      for (const auto& destination : replacements(uri, override_list))
        add_unique(plan.send, destination);
    }
  }
  return plan;
}

}  // namespace authmilter::report
