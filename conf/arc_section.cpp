#include "conf/arc_section.h"

#include "conf/domain_setting.h"

namespace authmilter::conf {

namespace {

// Our bound: a list this long is a mistake (a sealer is an operator the receiver knows).
constexpr std::size_t kMaxTrustedSealers = 1000;

}  // namespace

void read_arc_section(YamlSection section, Config& config) {
  // ARC keys are DKIM keys, checked by the DKIM library: without it ARC cannot run. The default
  // follows dkim.enabled; asking for ARC without DKIM is an error.
  auto& evaluation = config.evaluation;
  evaluation.arc_enabled = section.get_bool("enabled", config.dkim_enabled);
  if (evaluation.arc_enabled && !config.dkim_enabled)
    section.fail("enabled", "needs dkim.enabled: true (ARC keys are DKIM keys)");
  const auto sealers = section.get_string_list("trusted_sealers");
  if (sealers.size() > kMaxTrustedSealers) section.fail("trusted_sealers", "too many entries");
  auto& trusted = evaluation.local_policy.trusted_arc_sealers;
  trusted.clear();
  for (const auto& text : sealers)
    trusted.push_back(domain_setting(section, "trusted_sealers", text));
  evaluation.arc.clock_skew_seconds =
      section.get_integer("clock_skew_seconds", evaluation.arc.clock_skew_seconds, 0, 86400);
  section.check_unknown_keys();
}

}  // namespace authmilter::conf
