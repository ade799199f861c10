// outcome_metrics.h - one message's check results, as counts in the metrics registry.
//
// MessageEvaluation calls these as results become final, so the counts come from the result
// structures (codes and enums), never from the header text. Label values are enum names
// only (metrics/registry.h): no domain or address reaches a metric. Each call is a few relaxed
// atomic adds; thread-safe.
//   count_check_results  end of message: one per SPF clause (MAIL FROM, HELO), one per DKIM
//                        signature (dkim=none once for a checked, unsigned message), and for
//                        DMARC one result, the published policy vs the disposition applied
//                        (when a record applied) and each override.
//   count_recipient_refusal  RCPT TO refused (SPF fail, SPF temperror, max_recipients).
//   count_dns_trouble    the message's DNS budget ran out, or an answer was cut at a bound.
#pragma once

#include <optional>
#include <vector>

#include "arc/arc_result.h"
#include "dkim/dkim_result.h"
#include "evaluation/dmarc_step.h"
#include "metrics/registry.h"
#include "spf/spf.h"

namespace authmilter::evaluation {

struct CheckedResults {
  const std::optional<spf::SpfResult>* spf_mail_from = nullptr;
  const std::optional<spf::SpfResult>* spf_helo = nullptr;
  bool dkim_checked = false;
  const std::vector<dkim::DkimResult>* dkim = nullptr;
  const std::optional<DmarcStep>* dmarc = nullptr;
  const arc::ArcResult* arc = nullptr;  // null: ARC not checked
};

void count_check_results(const CheckedResults& results) noexcept;
void count_recipient_refusal(metrics::RecipientRefusal reason) noexcept;
void count_dns_trouble(bool budget_spent, bool answer_cut) noexcept;

}  // namespace authmilter::evaluation
