// evaluation_settings.h - what MessageEvaluation needs from the configuration and the process.
//
// EvaluationOptions is filled by conf/; EvaluationSettings adds what the daemon or
// authmilter-check lends (the shared resolver and DKIM library), borrowed: they must outlive
// every MessageEvaluation built from these settings.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "arc/arc_options.h"
#include "decision/local_policy.h"
#include "dkim/dkim_library.h"
#include "dmarc/evaluate.h"
#include "dns/resolver.h"
#include "dns/resolver_options.h"
#include "evaluation/message_limits.h"
#include "net/ip_address.h"
#include "report/failure_options.h"
#include "spf/spf.h"

namespace authmilter::evaluation {

enum class TemperrorAction { accept, tempfail };

// What to do with SPF results at RCPT TO (RFC 7208 §8.4: rejecting `fail` is the receiver's
// choice).
struct SpfPolicy {
  bool check_helo = false;      // also check the HELO identity and report it (smtp.helo)
  bool reject_on_fail = false;  // 550 5.7.23 at RCPT TO
  TemperrorAction on_temperror = TemperrorAction::accept;  // tempfail = 451 4.7.24 at RCPT TO
  // Recipients never refused for SPF: local parts ("postmaster") or whole addresses.
  std::vector<std::string> exempt_recipients = {"postmaster", "abuse"};
};

// What the configuration decides about checking a message. conf::Config holds one (its
// `evaluation`), filled from authmilter.yaml, and the owner copies it whole into
// EvaluationSettings: a new option is added here once, not to a field-by-field copy.
struct EvaluationOptions {
  std::string authserv_id;  // RFC 8601 authserv-id; conf/ defaults it to this host's name
  // Clients whose mail is not checked (still stripped of forged AR headers): the MTA's own
  // submission hosts, internal relays.
  std::vector<net::CidrBlock> trusted_networks;
  bool skip_authenticated = true;  // SMTP AUTH submitters ({auth_authen} set) are not checked
  spf::SpfOptions spf;
  SpfPolicy spf_policy;
  bool dmarc_enabled = true;
  dmarc::DmarcOptions dmarc;  // mode, psl_path; the PSL is loaded once by the owner (RFC 7489)
  decision::LocalPolicy local_policy;  // what a DMARC result makes us do (`dmarc:` keys)
  MessageLimits limits;  // recipients, header fields and bytes (max_connections: the daemon's)
  // ARC (RFC 8617) chains are validated with the DKIM library's key cache and options: no ARC
  // without EvaluationSettings::dkim. The `arc:` section's trusted_sealers are in local_policy.
  bool arc_enabled = true;
  arc::ArcOptions arc;
  // RFC 9991 failure reports (off by default): when enabled, the header section is kept,
  // bounded, while the message streams, and a failing message's report row carries a
  // FailureRecord (failure_record_builder.h).
  report::FailureReportOptions failure_reports;
};

// The options plus what the process lends: the shared resolver and DKIM library.
struct EvaluationSettings {
  EvaluationOptions options;
  dns::Resolver* resolver = nullptr;  // borrowed, shared, thread-safe
  // Total DNS waiting time per message (dns.message_budget_ms); zero = none. Each message puts
  // a BudgetedResolver (dns/budgeted_resolver.h) in front of `resolver`.
  std::chrono::milliseconds dns_message_budget = dns::kDefaultMessageBudget;
  const dkim::DkimLibrary* dkim = nullptr;  // borrowed, shared; null = DKIM (and ARC) not checked
};

}  // namespace authmilter::evaluation
