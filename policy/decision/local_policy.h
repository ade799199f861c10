// local_policy.h - the operator's DMARC policy knobs, as decide() (decision.h) reads them.
//
// A plain options struct: conf/ fills it from the `dmarc:` section of authmilter.yaml, tests
// build it directly. Nothing here does I/O; the struct is immutable once built and may be shared
// between threads. Domain names are lower-case A-labels without a trailing dot.
// RFC 9989 §7.4 and §8: a receiver must not reject solely because a domain publishes p=reject,
// since indirect flows (mailing lists, forwarders) break alignment; RejectMode::rfc9989 is the
// default for that reason.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dmarc/author_selection.h"
#include "dmarc/record.h"
#include "net/ip_address.h"

namespace authmilter::decision {

// What a requested p=reject becomes.
enum class RejectMode {
  rfc9989,  // reject only without a sign of indirect flow, else quarantine (RFC 9989 §8)
  honor,    // always reject
  never,    // always quarantine (local_policy)
};

// How a quarantine is carried out by the MTA.
enum class QuarantineMode {
  hold,    // Postfix hold queue (smfi_quarantine)
  header,  // deliver with a marker header, for a Junk folder rule
  both,
};

enum class TemperrorMode { accept, tempfail };  // DMARC DNS failure: deliver, or 451 4.7.0

// What to do with a message whose From cannot be evaluated (RFC 9989 §5.3.1: DMARC is not
// possible): no From header, or one that does not parse to an address with a domain.
enum class NoAuthorMode { reject, quarantine, accept };

// A per-domain rule, matching the From domain and its subdomains ("never reject example.org").
struct DomainOverride {
  std::string domain;
  std::optional<RejectMode> reject;                   // replaces the global RejectMode
  std::optional<dmarc::Disposition> max_disposition;  // cap (none = deliver regardless)
};

// Forwarders we know re-send mail (alumni addresses, a partner's list server): their failing
// mail is not rejected in RejectMode::rfc9989 (trusted_forwarder).
struct ForwarderList {
  std::vector<net::CidrBlock> networks;  // the connecting client
  std::vector<std::string> domains;      // a domain that passed SPF (MAIL FROM) or DKIM (d=)
};

struct LocalPolicy {
  RejectMode reject = RejectMode::rfc9989;
  QuarantineMode quarantine = QuarantineMode::hold;
  std::string quarantine_header_name = "X-Spam-Flag";  // QuarantineMode::header / both
  std::string quarantine_header_value = "YES";
  // The 550 5.7.1 text; "%d" is replaced by the From domain (sanitised for a reply line).
  std::string reject_text = "Message rejected: DMARC policy of %d";
  TemperrorMode on_temperror = TemperrorMode::accept;
  // Several From headers or several author domains. Default reject: RFC 5322 §3.6 allows one
  // From field, and picking one author is OpenDMARC's CVE-2019-16378 bypass; `strictest` and
  // `fail` are the alternatives (author_selection.h).
  dmarc::MultipleFromPolicy multiple_from = dmarc::MultipleFromPolicy::reject;
  NoAuthorMode no_author = NoAuthorMode::reject;  // RFC 5322 §3.6: From is required
  bool dry_run = false;                           // decide and report, never act
  std::vector<DomainOverride> overrides;
  ForwarderList forwarders;
  // arc.trusted_sealers: ARC sealers (a domain and its subdomains) whose
  // ARC-Authentication-Results may turn a DMARC fail into a delivery (decision.h, RFC 8617 §7.2.1).
  std::vector<std::string> trusted_arc_sealers;
};

}  // namespace authmilter::decision
