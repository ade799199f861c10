// destinations.h - which rua (or ruf) addresses a report may go to (RFC 9990 §4, RFC 7489 §7.1).
//
// Every usable mailto: URI of the published rua; one outside the policy domain's Organizational
// Domain only when <policy-domain>._report._dmarc.<uri-host> publishes v=DMARC1
// (dmarc::verify_external_destination); when that record has its own rua=, its mailto: URIs on
// the same host replace the original (RFC 7489 §7.1 step 3). A DNS failure during that check is
// `deferred`: the report is kept and tried again next run (never sent unverified). `max_bytes`
// carries the RFC 7489 "!size" limit (honoured in RFC 7489 mode only, by the caller).
// Failure reports (RFC 9991) plan their ruf list the same way, ReportUriKind::failure: an
// authorizing record's own ruf= then replaces the original.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dmarc/org_domain.h"
#include "dns/resolver.h"

namespace authmilter::report {

struct Destination {
  std::string address;  // addr-spec
  std::optional<std::uint64_t> max_bytes;
};

struct DestinationPlan {
  std::vector<Destination> send;
  std::vector<std::string> refused;   // "address: why", for the summary line
  std::vector<std::string> deferred;  // DNS trouble: retry next run
};

enum class ReportUriKind { aggregate, failure };  // rua, ruf

DestinationPlan plan_destinations(const std::string& policy_domain, const std::string& uris,
                                  dmarc::OrgDomainFinder& finder, dns::Resolver& resolver,
                                  ReportUriKind kind = ReportUriKind::aggregate);

}  // namespace authmilter::report
