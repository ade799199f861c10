// message_report_record.h - one evaluated message as a row for the DMARC aggregate-report store.
//
// make_report_record() maps the results of a finished MessageEvaluation (SPF, DKIM, DMARC and the
// local policy's decision) into report::ReportRecord, the plain-values form the store keeps
// (RFC 9990 §3 vocabulary). It returns nullopt when there is nothing to report: checks skipped,
// or no DMARC record applied (only domains that publish a policy receive reports).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "dkim/dkim_result.h"
#include "evaluation/dmarc_step.h"
#include "net/ip_address.h"
#include "report/report_record.h"
#include "spf/spf.h"

namespace authmilter::evaluation {

struct ReportRecordInput {
  std::int64_t time = 0;
  std::optional<net::IpAddress> client;
  std::string mail_from;  // reverse path, "" for <>
  const std::vector<std::string>* recipients = nullptr;
  const std::optional<spf::SpfResult>* spf = nullptr;
  const std::vector<dkim::DkimResult>* dkim = nullptr;
  const std::optional<DmarcStep>* dmarc = nullptr;
  std::string queue_id;
};

std::optional<report::ReportRecord> make_report_record(const ReportRecordInput& input);

}  // namespace authmilter::evaluation
