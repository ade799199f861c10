// record_fixtures.h - sample ReportRecords (`variant` varies IP, SPF, DKIM and overrides), and a
// claim of one slot.
#pragma once

#include <cstdint>
#include <string>

#include "report/record_store.h"
#include "report/report_record.h"

namespace authmilter::report::testing {

ReportRecord sample_record(std::int64_t time, const std::string& policy_domain, int variant);

// claim_slot - RecordStore::claim() over exactly this closed slot (its domain and interval).
Result<RunClaim> claim_slot(RecordStore& store, const ReportSlot& slot);

}  // namespace authmilter::report::testing
