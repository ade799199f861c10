// report_sections.h - the `store` and `reports` sections of authmilter.yaml.
//
// read_store_section() fills report::StoreOptions, read_reports_section() fills
// report::ReportOptions, with the strictness of config_loader.cpp: every key is typed and
// range-checked, unknown keys are errors, and errors are ConfigError "file:line:col: key: ...".
// The caller passes the section (top.section("store")); both check their unknown keys.
// Documented in conf/authmilter.yaml.
#pragma once

#include "conf/yaml_section.h"
#include "report/record_store.h"
#include "report/report_options.h"

namespace authmilter::conf {

report::StoreOptions read_store_section(YamlSection section);
// `host_name` is the default submitter and email domain.
report::ReportOptions read_reports_section(YamlSection section, const std::string& host_name);

}  // namespace authmilter::conf
