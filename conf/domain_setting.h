// domain_setting.h - a domain name given in the YAML (forwarders, overrides, trusted sealers).
//
// domain_setting() normalises `text` (lower case, no trailing dot, A-labels) and checks the
// RFC 1123 §2.1 label rules, so that every domain the policy compares against is in the form
// the checks produce; anything else is a ConfigError naming the key.
#pragma once

#include <string>

#include "conf/yaml_section.h"

namespace authmilter::conf {

std::string domain_setting(YamlSection& section, const std::string& key, const std::string& text);

}  // namespace authmilter::conf
