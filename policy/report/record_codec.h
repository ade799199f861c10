// record_codec.h - the list-valued parts of a ReportRecord as one text column, and back.
//
// DKIM results, override reasons and recipient domains are variable-length lists; the store
// keeps each in one TEXT column so that identical tuples can be grouped and counted by SQL.
// Encoding: fields joined by U+001F (unit separator), entries by U+001E (record separator);
// sanitize_record() removes control characters from the fields first, so the encoding is
// unambiguous. Decoding is total: malformed text yields fewer or empty entries, never a crash.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report/report_record.h"

namespace authmilter::report {

std::string encode_dkim(const std::vector<DkimEntry>& entries);
std::vector<DkimEntry> decode_dkim(std::string_view text);
std::string encode_overrides(const std::vector<PolicyOverrideEntry>& reasons);
std::vector<PolicyOverrideEntry> decode_overrides(std::string_view text);
std::string encode_domains(const std::vector<std::string>& domains);
std::vector<std::string> decode_domains(std::string_view text);
// ARC sealers: instance, sealer, evidence per entry; an entry whose instance is not a number
// from 1 to kMaxArcSealersPerRecord is dropped.
std::string encode_arc_sealers(const std::vector<ArcSealerEntry>& sealers);
std::vector<ArcSealerEntry> decode_arc_sealers(std::string_view text);

// policy_key - a canonical text of the published policy: reports are built per policy key.
std::string policy_key(const PublishedPolicy& policy);

}  // namespace authmilter::report
