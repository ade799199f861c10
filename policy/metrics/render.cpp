#include "metrics/render.h"

#include "metrics/exposition.h"

namespace authmilter::metrics {

namespace {

// The results each method can have (RFC 8601 §2.7): no spf=policy, no dkim=softfail, ...
bool method_has_result(Method method, CheckResult result) {
  switch (method) {
    case Method::spf:
      return result != CheckResult::policy;
    case Method::dkim:
      return result != CheckResult::softfail;
    case Method::dmarc:
      return result == CheckResult::pass || result == CheckResult::fail ||
             result == CheckResult::none || result == CheckResult::temperror ||
             result == CheckResult::permerror;
    case Method::arc:  // RFC 8617 §7.2: none, pass, fail (and our temperror for DNS trouble)
      return result == CheckResult::pass || result == CheckResult::fail ||
             result == CheckResult::none || result == CheckResult::temperror;
  }
  return false;
}

template <std::size_t N>
void write_counters(ExpositionWriter& out, std::string_view name, std::string_view label,
                    const std::array<std::string_view, N>& values,
                    const std::array<Counter, N>& cells) {
  for (std::size_t i = 0; i < N; ++i)
    out.sample(name, {{label, values[i]}}, static_cast<double>(cells[i].value()));
}

void write_messages(ExpositionWriter& out, const Registry& r) {
  out.family("authmilter_messages_total",
             "Messages answered at end of message, by the milter action taken.", "counter");
  write_counters(out, "authmilter_messages_total", "action", kMessageActionNames, r.messages);
  out.family("authmilter_recipients_refused_total",
             "RCPT TO commands refused by the milter, by reason.", "counter");
  write_counters(out, "authmilter_recipients_refused_total", "reason", kRecipientRefusalNames,
                 r.recipients_refused);
}

void write_results(ExpositionWriter& out, const Registry& r) {
  const char* name = "authmilter_results_total";
  out.family(name,
             "Check results: one per SPF clause (MAIL FROM, HELO), one per DKIM signature "
             "(none for an unsigned message), one per DMARC evaluation.",
             "counter");
  for (std::size_t m = 0; m < kMethodNames.size(); ++m) {
    for (std::size_t c = 0; c < kCheckResultNames.size(); ++c) {
      if (!method_has_result(static_cast<Method>(m), static_cast<CheckResult>(c))) continue;
      out.sample(name, {{"method", kMethodNames[m]}, {"result", kCheckResultNames[c]}},
                 static_cast<double>(r.results[m][c].value()));
    }
  }
}

void write_dmarc(ExpositionWriter& out, const Registry& r) {
  const char* name = "authmilter_dmarc_disposition_total";
  out.family(name,
             "DMARC evaluations with a policy record, by the published policy (p/sp/np) and the "
             "disposition applied after overrides.",
             "counter");
  for (std::size_t p = 0; p < kDmarcPolicyNames.size(); ++p)
    for (std::size_t d = 0; d < kDmarcPolicyNames.size(); ++d)
      out.sample(name, {{"policy", kDmarcPolicyNames[p]}, {"disposition", kDmarcPolicyNames[d]}},
                 static_cast<double>(r.dmarc_dispositions[p][d].value()));
  out.family("authmilter_dmarc_override_total",
             "DMARC policy overrides (RFC 7489 section 7.2 PolicyOverrideType), by reason.",
             "counter");
  write_counters(out, "authmilter_dmarc_override_total", "reason", kOverrideReasonNames,
                 r.dmarc_overrides);
}

void write_latency(ExpositionWriter& out, const Registry& r) {
  out.family("authmilter_eom_duration_seconds",
             "Time spent in the end-of-message callback (checks, header edits, store write).",
             "histogram");
  out.histogram("authmilter_eom_duration_seconds", {}, r.eom_duration.snapshot());
  const char* name = "authmilter_check_duration_seconds";
  out.family(name,
             "Time per check: spf = the MAIL FROM (and HELO) check at MAIL FROM; dkim = "
             "verification at end of message (key lookups, signatures; hashing while the body "
             "streams is not included); dmarc = record discovery and the decision.",
             "histogram");
  for (std::size_t m = 0; m < kMethodNames.size(); ++m)
    out.histogram(name, {{"check", kMethodNames[m]}}, r.check_duration[m].snapshot());
}

void write_dns(ExpositionWriter& out, const Registry& r) {
  const char* name = "authmilter_dns_queries_total";
  out.family(name, "DNS queries sent to libunbound, by RR type and outcome.", "counter");
  for (std::size_t t = 0; t < kDnsTypeNames.size(); ++t)
    for (std::size_t o = 0; o < kDnsOutcomeNames.size(); ++o)
      out.sample(name, {{"type", kDnsTypeNames[t]}, {"outcome", kDnsOutcomeNames[o]}},
                 static_cast<double>(r.dns_queries[t][o].value()));
  out.family("authmilter_dns_query_duration_seconds",
             "Time from sending a DNS query to libunbound to its answer.", "histogram");
  out.histogram("authmilter_dns_query_duration_seconds", {}, r.dns_query_duration.snapshot());
  out.family("authmilter_dns_cache_lookups_total",
             "Lookups answered by authmilter's own answer cache (hit) or sent to libunbound "
             "(miss; libunbound may still answer from its own cache, which is not observed).",
             "counter");
  write_counters(out, "authmilter_dns_cache_lookups_total", "result", kCacheResultNames,
                 r.dns_cache_lookups);
}

void write_operations(ExpositionWriter& out, const Registry& r, const ProcessFacts& facts) {
  out.family("authmilter_limit_hits_total",
             "Protective bounds hit and failures, by cause; each also writes a log line.",
             "counter");
  write_counters(out, "authmilter_limit_hits_total", "cause", kLimitCauseNames, r.limit_hits);
  out.family("authmilter_connections_active", "Milter connections open now.", "gauge");
  out.sample("authmilter_connections_active", {}, static_cast<double>(facts.connections_active));
  out.family("authmilter_store_write_duration_seconds",
             "Time to commit one report row to the record store.", "histogram");
  out.histogram("authmilter_store_write_duration_seconds", {}, r.store_write_duration.snapshot());
  out.family("authmilter_store_write_failures_total",
             "Report rows that could not be written to the record store.", "counter");
  out.sample("authmilter_store_write_failures_total", {},
             static_cast<double>(r.store_write_failures.value()));
}

void write_process(ExpositionWriter& out, const Registry& r, const ProcessFacts& facts) {
  out.family("authmilter_config_reloads_total", "Configuration reloads (SIGHUP), by outcome.",
             "counter");
  write_counters(out, "authmilter_config_reloads_total", "outcome", kReloadOutcomeNames,
                 r.config_reloads);
  out.family("authmilter_config_last_reload_success",
             "1 if the last configuration reload succeeded (or none was tried), else 0.", "gauge");
  out.sample("authmilter_config_last_reload_success", {}, r.config_last_reload_success.value());
  out.family("authmilter_config_last_reload_timestamp_seconds",
             "Unix time of the last reload attempt (the start time before any).", "gauge");
  out.sample("authmilter_config_last_reload_timestamp_seconds", {},
             r.config_last_reload_timestamp.value());
  out.family("authmilter_build_info", "Always 1; the version is the label.", "gauge");
  out.sample("authmilter_build_info", {{"version", facts.version}}, 1);
  out.family("authmilter_process_start_time_seconds", "Unix time the daemon started.", "gauge");
  out.sample("authmilter_process_start_time_seconds", {}, r.process_start_time.value());
}

}  // namespace

std::string render_exposition(const Registry& registry, const ProcessFacts& facts) {
  ExpositionWriter out;
  write_messages(out, registry);
  write_results(out, registry);
  write_dmarc(out, registry);
  write_latency(out, registry);
  write_dns(out, registry);
  write_operations(out, registry, facts);
  write_process(out, registry, facts);
  return out.text();
}

}  // namespace authmilter::metrics
