// limits_section.h - the `limits:` section of authmilter.yaml -> per-message and per-connection
// resource bounds.
//
// read_limits_section() fills Config::limits (evaluation/message_limits.h: recipients, header
// fields, header bytes) and DaemonSettings::max_connections, and makes the DKIM verifier's header
// bounds follow the message limits (one value, not two). Call it after the `dkim:` section has
// been read. Every key is optional (defaults: message_limits.h, kDefaultMaxConnections); a value
// out of range throws ConfigError "file:line:col: limits.key: message".
#pragma once

#include "conf/config.h"
#include "conf/yaml_section.h"

namespace authmilter::conf {

void read_limits_section(YamlSection section, Config& config);

}  // namespace authmilter::conf
