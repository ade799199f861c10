#include "daemon/milter_metrics.h"

#include <optional>
#include <string_view>

#include "metrics/histogram.h"
#include "metrics/registry.h"

namespace authmilter::daemon {

namespace {

metrics::MessageAction action_label(sfsistat status, bool quarantined, bool probe) {
  if (probe) return metrics::MessageAction::probe;
  switch (status) {
    case SMFIS_ACCEPT:
    case SMFIS_CONTINUE:
      return quarantined ? metrics::MessageAction::quarantine : metrics::MessageAction::accept;
    case SMFIS_REJECT:
      return metrics::MessageAction::reject;
    case SMFIS_DISCARD:
      return metrics::MessageAction::discard;
    default:
      return metrics::MessageAction::tempfail;
  }
}

// The bound's configuration key (LimitBreach::bound) to its label. Runs only for a breach,
// which is rare and logged anyway, never per message.
std::optional<metrics::LimitCause> cause_label(std::string_view bound) {
  using metrics::LimitCause;
  if (bound == "limits.max_recipients") return LimitCause::max_recipients;
  if (bound == "limits.max_header_fields") return LimitCause::max_header_fields;
  if (bound == "limits.max_header_bytes") return LimitCause::max_header_bytes;
  if (bound == "limits.max_forged_authres_headers") return LimitCause::max_forged_authres_headers;
  if (bound == "dkim.max_signatures") return LimitCause::max_signatures;
  return std::nullopt;
}

}  // namespace

void count_eom_answer(sfsistat status, bool quarantined, bool probe) noexcept {
  metrics::count(metrics::registry().messages, action_label(status, quarantined, probe));
}

void count_limit_breach(const evaluation::LimitBreach& breach) noexcept {
  if (const auto cause = cause_label(breach.bound))
    metrics::count(metrics::registry().limit_hits, *cause);
}

void count_refused_connection() noexcept {
  metrics::count(metrics::registry().limit_hits, metrics::LimitCause::max_connections);
}

Status timed_store_write(report::RecordStore& store, const report::ReportRecord& row) {
  auto& registry = metrics::registry();
  Status stored = [&] {
    const metrics::ScopedTimer timer(registry.store_write_duration);
    return store.append(row);
  }();
  if (!stored.ok()) {
    registry.store_write_failures.add();
    metrics::count(registry.limit_hits, metrics::LimitCause::store_failure);
  }
  return stored;
}

}  // namespace authmilter::daemon
