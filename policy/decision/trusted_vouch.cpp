#include "decision/trusted_vouch.h"

#include "common/domain_name.h"

namespace authmilter::decision {

bool is_trusted_sealer(const std::string& sealer, const std::vector<std::string>& trusted_sealers) {
  for (const auto& trusted : trusted_sealers)
    if (is_same_or_subdomain(sealer, trusted)) return true;
  return false;
}

VouchSelection select_trusted_vouch(const std::vector<ArcSealerEvidence>& newest_first,
                                    const std::vector<std::string>& trusted_sealers) {
  VouchSelection selection;
  if (trusted_sealers.empty()) return selection;
  for (const auto& seen : newest_first) {
    if (!is_trusted_sealer(seen.sealer, trusted_sealers)) return selection;
    if (!seen.evidence.empty())
      selection.vouch = TrustedArcVouch{seen.sealer, seen.instance, seen.evidence};
  }
  // Every recorded sealer is trusted and none vouched: an older, unrecorded one might have.
  if (!selection.vouch && !newest_first.empty() && newest_first.back().instance > 1)
    selection.known = false;
  return selection;
}

}  // namespace authmilter::decision
