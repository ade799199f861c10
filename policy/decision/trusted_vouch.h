// trusted_vouch.h - which trusted ARC sealer's view, if any, vouches for a failing message.
//
// The daemon evaluates what each ARC instance's ARC-Authentication-Results show (newest instance
// first) against the author's DMARC record once, and keeps the result as ArcSealerEvidence;
// select_trusted_vouch() then applies arc.trusted_sealers to that list. The daemon calls it with
// the running policy and authmilter-check --history with a candidate's, so both pick the same
// vouch from the same evidence (RFC 8617 §7.2.1).
// Rule: walk from the newest instance down while its sealer is trusted (a sealer's own domain or
// a subdomain of one listed: an untrusted hop could have forged everything older); of those, the
// oldest whose evidence is non-empty vouches. When no recorded one vouches and the walk runs past
// the recorded instances of a chain that was not recorded whole (the oldest recorded is not i=1),
// the answer is unknown (a found vouch decides the disposition whatever older ones say).
// Pure; no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "decision/decision.h"

namespace authmilter::decision {

struct ArcSealerEvidence {
  unsigned instance = 0;
  std::string sealer;    // the instance's ARC-Seal d=
  std::string evidence;  // e.g. "dkim=pass header.d=example.com"; empty: no aligned pass seen
  friend bool operator==(const ArcSealerEvidence&, const ArcSealerEvidence&) = default;
};

struct VouchSelection {
  std::optional<TrustedArcVouch> vouch;
  bool known = true;  // false: the trusted walk needs instances that were not recorded
};

bool is_trusted_sealer(const std::string& sealer, const std::vector<std::string>& trusted_sealers);

// newest_first: instances N, N-1, ... as recorded.
VouchSelection select_trusted_vouch(const std::vector<ArcSealerEvidence>& newest_first,
                                    const std::vector<std::string>& trusted_sealers);

}  // namespace authmilter::decision
