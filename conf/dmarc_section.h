// dmarc_section.h - the `dmarc:` section of authmilter.yaml -> Config's DMARC and local policy.
//
// read_dmarc_section() is called by the config loader with the section (its getters mark keys
// as known) and the raw node (for `overrides:`, a mapping keyed by domain). It validates every
// value (domains normalised, CIDRs parsed, header and reply text free of control characters)
// and throws ConfigError "file:line:col: dmarc.key: message" on the first bad one.
#pragma once

#include <yaml-cpp/yaml.h>

#include "conf/config.h"
#include "conf/yaml_section.h"

namespace authmilter::conf {

void read_dmarc_section(YamlSection section, const YAML::Node& node, const std::string& file,
                        Config& config);

}  // namespace authmilter::conf
