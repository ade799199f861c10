// registry.h - every metric authmilter exports, in one process-wide registry.
//
// The label sets are bounded enumerations (below): no domain, address or other peer-chosen
// text ever becomes a label value, so the number of series is fixed at compile time. Each
// family is an array of cells indexed by its enum, so recording is `registry().x[i].add()`:
// one relaxed atomic add, no lock, no allocation, no lookup by string on the mail path.
// The registry always counts (the cost is that add); serving it is the daemon's business
// (filter/daemon/metrics_server.h), rendering is render_exposition() (render.h).
// Thread-safe; lives for the whole process (a static), so a reload never resets a counter.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "metrics/counter.h"
#include "metrics/histogram.h"

namespace authmilter::metrics {

// The label value names of each enumeration, in enum order.
// probe: an authmilter-check --smtp probe, refused on purpose (kept out of reject).
enum class MessageAction { accept, reject, tempfail, quarantine, discard, probe };
inline constexpr std::array<std::string_view, 6> kMessageActionNames = {
    "accept", "reject", "tempfail", "quarantine", "discard", "probe"};

enum class RecipientRefusal { spf_fail, spf_temperror, max_recipients };
inline constexpr std::array<std::string_view, 3> kRecipientRefusalNames = {
    "spf_fail", "spf_temperror", "max_recipients"};

enum class Method { spf, dkim, dmarc, arc };
inline constexpr std::array<std::string_view, 4> kMethodNames = {"spf", "dkim", "dmarc", "arc"};

enum class CheckResult { pass, fail, softfail, neutral, none, temperror, permerror, policy };
inline constexpr std::array<std::string_view, 8> kCheckResultNames = {
    "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy"};

// A DMARC policy: the one the domain publishes (p/sp/np) and the disposition applied.
enum class DmarcPolicy { none, quarantine, reject };
inline constexpr std::array<std::string_view, 3> kDmarcPolicyNames = {"none", "quarantine",
                                                                      "reject"};

// RFC 7489 §7.2 PolicyOverrideType, as decision.h records them.
enum class OverrideReason {
  forwarded,
  sampled_out,
  trusted_forwarder,
  mailing_list,
  local_policy,
  other
};
inline constexpr std::array<std::string_view, 6> kOverrideReasonNames = {
    "forwarded", "sampled_out", "trusted_forwarder", "mailing_list", "local_policy", "other"};

// Protective bounds and failures, each of which also writes one log line.
enum class LimitCause {
  dns_budget_spent,
  dns_answer_cut,
  store_failure,
  max_connections,
  max_recipients,
  max_header_fields,
  max_header_bytes,
  max_forged_authres_headers,
  max_signatures
};
inline constexpr std::array<std::string_view, 9> kLimitCauseNames = {
    "dns_budget_spent", "dns_answer_cut",    "store_failure",    "max_connections",
    "max_recipients",   "max_header_fields", "max_header_bytes", "max_forged_authres_headers",
    "max_signatures"};

enum class DnsType { txt, a, aaaa, mx, ptr, other };
inline constexpr std::array<std::string_view, 6> kDnsTypeNames = {"TXT", "A",   "AAAA",
                                                                  "MX",  "PTR", "other"};

// `cut`: answered, but cut at a size bound (dns.max_answer_records, dns.max_txt_bytes);
// `error`: libunbound could not run the query at all.
enum class DnsOutcome { answer, nxdomain, nodata, servfail, timeout, error, cut };
inline constexpr std::array<std::string_view, 7> kDnsOutcomeNames = {
    "answer", "nxdomain", "nodata", "servfail", "timeout", "error", "cut"};

enum class CacheResult { hit, miss };
inline constexpr std::array<std::string_view, 2> kCacheResultNames = {"hit", "miss"};

enum class ReloadOutcome { ok, error };
inline constexpr std::array<std::string_view, 2> kReloadOutcomeNames = {"ok", "error"};

template <class Enum>
constexpr std::size_t index_of(Enum value) {
  return static_cast<std::size_t>(value);
}

struct Registry {
  Registry();

  std::array<Counter, kMessageActionNames.size()> messages;
  std::array<Counter, kRecipientRefusalNames.size()> recipients_refused;
  std::array<std::array<Counter, kCheckResultNames.size()>, kMethodNames.size()> results;
  // [published policy][applied disposition]
  std::array<std::array<Counter, kDmarcPolicyNames.size()>, kDmarcPolicyNames.size()>
      dmarc_dispositions;
  std::array<Counter, kOverrideReasonNames.size()> dmarc_overrides;
  std::array<Counter, kLimitCauseNames.size()> limit_hits;
  DurationHistogram eom_duration;
  std::array<DurationHistogram, kMethodNames.size()> check_duration;
  std::array<std::array<Counter, kDnsOutcomeNames.size()>, kDnsTypeNames.size()> dns_queries;
  DurationHistogram dns_query_duration;
  std::array<Counter, kCacheResultNames.size()> dns_cache_lookups;
  DurationHistogram store_write_duration;
  Counter store_write_failures;
  std::array<Counter, kReloadOutcomeNames.size()> config_reloads;
  Gauge config_last_reload_success;    // 1 until a reload fails
  Gauge config_last_reload_timestamp;  // Unix seconds; the start until the first reload
  Gauge process_start_time;            // Unix seconds
};

// The process's registry.
Registry& registry();

// Convenience for the common case.
template <class Enum, std::size_t N>
void count(std::array<Counter, N>& family, Enum label) noexcept {
  family[index_of(label)].add();
}

}  // namespace authmilter::metrics
