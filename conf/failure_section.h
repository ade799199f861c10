// failure_section.h - the `failure_reports` section of authmilter.yaml (RFC 9991, opt-in).
//
// read_failure_reports_section() fills report::FailureReportOptions with the strictness of
// config_loader.cpp (typed, range-checked keys; unknown keys are errors). The daemon and
// authmilter-report read the same section; delivery goes through the `reports` section's
// settings. Documented in conf/authmilter.yaml.
#pragma once

#include "conf/yaml_section.h"
#include "report/failure_options.h"

namespace authmilter::conf {

report::FailureReportOptions read_failure_reports_section(YamlSection section);

}  // namespace authmilter::conf
