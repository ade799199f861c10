// milter_metrics.h - what the milter stages count in the metrics registry (metrics/registry.h).
//
// count_eom_answer() once per end-of-message callback with the status it returns (the
// quarantines and the tempfails it makes itself, for a failed header delete or store write,
// included; an answered authmilter-check probe counts as action "probe", not "reject");
// count_limit_breach() for each bound logged (message_limits.h); count_refused_connection() for
// each connection over limits.max_connections; timed_store_write() wraps the record store's append
// with its latency and failure counts. Relaxed atomic adds only; thread-safe.
#pragma once

#include <libmilter/mfapi.h>

#include "common/result.h"
#include "evaluation/message_limits.h"
#include "report/record_store.h"

namespace authmilter::daemon {

void count_eom_answer(sfsistat status, bool quarantined, bool probe) noexcept;
void count_limit_breach(const evaluation::LimitBreach& breach) noexcept;
void count_refused_connection() noexcept;
Status timed_store_write(report::RecordStore& store, const report::ReportRecord& row);

}  // namespace authmilter::daemon
