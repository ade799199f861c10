// failure_record_builder.h - what a finished message gives its failure report, if anything.
//
// make_failure_record() returns nullopt unless failure reports are enabled, a DMARC record
// applied with a usable ruf= (RFC 9991: reports go only to ruf= addresses), the policy domain
// is not a PSD (psd=y: no failure reports for a public suffix's registrants), DMARC reached a
// verdict (pass or fail; temperror/permerror reports nothing), and the policy's fo= options,
// restricted to the honoured ones, fire (report/fo_trigger.h). The record carries the header
// section collected while the message streamed (bounded by the caller, redacted here along
// with MAIL FROM and the DKIM identity), the AR value we add, the Delivery-Result, and the SPF
// record of a failed SPF domain (one TXT lookup through `resolver`, normally answered from the
// cache, since SPF has just fetched it). The caller attaches it to the message's report row.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "dkim/dkim_result.h"
#include "dns/resolver.h"
#include "evaluation/dmarc_step.h"
#include "report/failure_options.h"
#include "report/failure_record.h"
#include "spf/spf.h"

namespace authmilter::evaluation {

struct FailureRecordInput {
  const report::FailureReportOptions* options = nullptr;
  const DmarcStep* step = nullptr;
  const std::optional<spf::SpfResult>* spf = nullptr;
  const std::vector<dkim::DkimResult>* dkim = nullptr;
  std::string_view mail_from;  // reverse path, "" for <>
  std::string_view headers;    // CRLF lines, as collected
  bool headers_cut = false;
  std::string_view authentication_results;
  dns::Resolver* resolver = nullptr;  // null: no SPF-DNS record
};

std::optional<report::FailureRecord> make_failure_record(const FailureRecordInput& input);

}  // namespace authmilter::evaluation
