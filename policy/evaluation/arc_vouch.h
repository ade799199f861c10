// arc_vouch.h - what a trusted ARC sealer says it saw: candidate identifiers for DMARC.
//
// When DMARC fails on a message whose ARC chain passes, the sealers' ARC-Authentication-Results
// (AAR) record what each intermediary saw before it changed the message (RFC 8617 §7.2.1). An
// AAR is believed only when every sealer from the newest instance down to the one that wrote it
// is in arc.trusted_sealers (a sealer's own domain or a subdomain of one listed): an untrusted
// hop in between could have forged everything older.
// arc_sealer_views() lists, newest instance first, each AAR's passing identifiers:
// spf=pass smtp.mailfrom (its domain), dkim=pass header.d (or the domain of header.i), and
// dmarc=pass with its header.from; an unparsable AAR gives none. dmarc_step.cpp re-runs DMARC
// alignment for the author domain with these identifiers (decision::ArcSealerEvidence), and
// decision::select_trusted_vouch() applies the trust rule above to the result. Pure, bounded (at
// most kMaxArcInstances AARs, each parsed within authres bounds, at most kMaxVouchedDkimDomains
// DKIM domains each).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "arc/arc_result.h"

namespace authmilter::evaluation {

inline constexpr std::size_t kMaxVouchedDkimDomains = 8;

struct ArcVouchCandidate {
  unsigned instance = 0;
  std::string sealer;           // the instance's ARC-Seal d=
  std::string spf_pass_domain;  // empty: no spf=pass with a mail-from domain
  std::vector<std::string> dkim_pass_domains;
  std::string dmarc_pass_from;  // header.from of a dmarc=pass, lower-case; empty if none
};

// The newest instances of a passing chain, newest first, trusted or not, for the record that
// lets authmilter-check --history replay another arc.trusted_sealers: at least the newest
// `at_least`, and further ones while their sealer is in trusted_sealers (the running policy's
// walk must see them). An unparsable AAR gives an entry with no identifiers.
std::vector<ArcVouchCandidate> arc_sealer_views(const arc::ArcResult& chain, std::size_t at_least,
                                                const std::vector<std::string>& trusted_sealers);

}  // namespace authmilter::evaluation
