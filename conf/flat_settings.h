// flat_settings.h - a configuration file as "section.key" -> value text, for comparing two files.
//
// authmilter-check --history compares a candidate file with the running one setting by setting
// to say which differences it can replay from the store's records. flat_settings() reads the
// YAML (no validation: load_config() does that) and maps every scalar to its dotted path
// ("dmarc.reject" -> "honor"); a sequence or a map inside a top-level section (dmarc.overrides,
// dmarc.forwarders, spf.exempt_recipients) is one setting whose value is its flow-style text, so
// that a changed override shows as one changed setting. An unreadable file is an Error.
#pragma once

#include <map>
#include <string>

#include "common/result.h"

namespace authmilter::conf {

using FlatSettings = std::map<std::string, std::string>;

Result<FlatSettings> flat_settings(const std::string& path);
Result<FlatSettings> flat_settings_text(const std::string& text);

}  // namespace authmilter::conf
