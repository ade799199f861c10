// external_destination.h - may reports for one domain go to a rua/ruf address elsewhere?
//
// RFC 7489 §7.1 / RFC 9990 §4 (external destinations): when a reporting URI's domain is not
// within the policy domain's Organizational Domain, the report generator must first find a
// DMARC record at "<policy-domain>._report._dmarc.<uri-domain>"; without one, no report goes
// there. That record may carry its own rua= to use instead (RFC 7489 §7.1 step 3).
//   is_external_destination() - pure apart from the OrgDomainFinder (a DNS failure while
//                               comparing counts as external: verification is then asked).
//   verify_external_destination() - one TXT query through the Resolver.
#pragma once

#include <string>
#include <string_view>

#include "dmarc/org_domain.h"
#include "dmarc/uri.h"
#include "dns/resolver.h"

namespace authmilter::dmarc {

bool is_external_destination(std::string_view policy_domain, const ReportUri& uri,
                             OrgDomainFinder& finder);

enum class ExternalAuthorization { authorized, not_authorized, temperror };

struct ExternalVerification {
  ExternalAuthorization status = ExternalAuthorization::not_authorized;
  UriList override_rua;  // non-empty when the authorizing record names its own rua
  UriList override_ruf;  // likewise for ruf (failure reports)
  std::string reason;
};

ExternalVerification verify_external_destination(std::string_view policy_domain,
                                                 std::string_view uri_domain,
                                                 dns::Resolver& resolver);

}  // namespace authmilter::dmarc
