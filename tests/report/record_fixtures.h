// record_fixtures.h - sample ReportRecords: `variant` varies IP, SPF, DKIM and overrides.
#pragma once

#include <cstdint>
#include <string>

#include "report/report_record.h"

namespace authmilter::report::testing {

ReportRecord sample_record(std::int64_t time, const std::string& policy_domain, int variant);

}  // namespace authmilter::report::testing
