// arc_section.h - the `arc:` section of authmilter.yaml (RFC 8617 chains).
//
//   arc:
//     enabled: true            # validate ARC chains (needs dkim.enabled: the keys are DKIM keys)
//     trusted_sealers: []      # sealers whose ARC-Authentication-Results may rescue DMARC fails
//     clock_skew_seconds: 300  # how far in the future a seal's t= may be
// trusted_sealers go to LocalPolicy::trusted_arc_sealers (decision/decision.h says what they
// do); each is normalised like every domain setting. Throws ConfigError on a bad value.
#pragma once

#include "conf/config.h"
#include "conf/yaml_section.h"

namespace authmilter::conf {

void read_arc_section(YamlSection section, Config& config);

}  // namespace authmilter::conf
