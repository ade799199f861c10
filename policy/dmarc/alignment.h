// alignment.h - identifier alignment between the Author Domain and an authenticated
// identifier (SPF MAIL FROM domain, or a DKIM d= with a pass result).
//
// RFC 9989 §3.2.2: strict = identical names (case-insensitive); relaxed = the same
// Organizational Domain, found by the OrgDomainFinder of the mode (tree walk in RFC 9989
// mode, PSL in RFC 7489 mode). Names that share no top-level label cannot share an
// Organizational Domain, so no lookup is made for them; nor for a name outside the author's
// Organizational Domain (an org domain is always the name or a parent of it). A temporary failure
// while finding an Organizational Domain makes the answer `undetermined` (DMARC then cannot pass or
// fail on that identifier, RFC 9989 §5.3.6). Malformed names never align.
#pragma once

#include <string>
#include <string_view>

#include "dmarc/org_domain.h"
#include "dmarc/record.h"

namespace authmilter::dmarc {

enum class Alignment { aligned, not_aligned, undetermined };

struct AlignmentCheck {
  Alignment result = Alignment::not_aligned;
  bool identical = false;  // aligned strictly (names equal)
  std::string reason;
};

AlignmentCheck check_alignment(std::string_view author_domain, std::string_view identifier,
                               AlignmentMode mode, OrgDomainFinder& finder);

}  // namespace authmilter::dmarc
