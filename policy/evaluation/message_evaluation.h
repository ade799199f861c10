// message_evaluation.h - the per-message pipeline: one method per milter stage.
//
// The milter's Session (filter/) and authmilter-check both drive this object, so the daemon and the
// offline checker cannot disagree. Call order: the constructor (connection facts + envelope sender
// known), check_sender() once, recipient()*, header()*, end_of_headers(), body_chunk()*,
// end_of_message() once. Plain values in, plain values out; no libmilter here. Not thread-safe:
// one per message. The settings (and the resolver they borrow) must outlive it.
// libmilter keeps that order (an out-of-order command makes it call abort, and Session drops
// the object); stages may be missing (no headers, no EOH, no body). Other orders (repeated or
// reordered calls, end_of_message() twice) give unspecified verdicts, but stay memory-safe and
// never show a pass that no aligned SPF/DKIM pass backs: tests/fuzz/pipeline_fuzz checks both.
// header() also collects what DMARC needs (every From value, bounded; List-Id/List-Post as a
// sign of an indirect flow); the ARC chain (RFC 8617) is validated alongside DKIM, and only a
// passing chain is a sign too; end_of_message() runs DMARC (dmarc_step.h) and the
// local policy (decision/decision.h) and returns the verdict in MessageOutcome::reply/decision:
// the caller only carries it out (refuse, hold, add the quarantine header, deliver).
// Resource bounds (message_limits.h): recipients over options.limits are refused at RCPT (452
// 4.5.3); a header section over its bounds is no longer processed and is refused at end of
// message (552 5.3.4). take_limit_breaches() hands each bound hit to the caller once, to log.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arc/arc_verifier.h"
#include "dkim/dkim_verifier.h"
#include "dns/budgeted_resolver.h"
#include "evaluation/dmarc_step.h"
#include "evaluation/evaluation_settings.h"
#include "evaluation/message_limits.h"
#include "net/ip_address.h"
#include "report/report_record.h"
#include "spf/spf.h"

namespace authmilter::evaluation {

// What the SMTP client told us before MAIL FROM.
struct ConnectionFacts {
  std::optional<net::IpAddress> client_address;  // nullopt: not an IP client (local, unknown)
  std::string client_name;
  std::string helo;
};

struct Envelope {
  std::string mail_from;           // without angle brackets; empty = null reverse-path <>
  std::string authenticated_user;  // {auth_authen}; empty = not authenticated
  std::string queue_id;            // the MTA's queue id ({i}) once known, for report rows
  std::vector<std::string> recipients;
};

// An SMTP answer for a stage: go on, or refuse (reject 5xx or tempfail 4xx) with a refusal.
struct StageReply {
  enum class Kind { proceed, reject, tempfail };
  Kind kind = Kind::proceed;
  decision::Refusal refusal;  // empty when proceeding

  static StageReply proceed() { return {}; }
};

// The answer to the MTA and the header edits, computed at end of message.
struct MessageOutcome {
  std::string authentication_results;  // field value of the one AR header to insert on top
  // 1-based occurrence indices among this message's Authentication-Results headers that carry
  // our authserv-id, highest first: delete them in this order (CVE-2022-48521).
  std::vector<int> forged_header_indices;
  // More than limits.max_forged_authres_headers: reject, we cannot clean the message.
  bool too_many_forged_headers = false;
  std::string log_summary;  // one line for the log: every result
  // DMARC and the local policy's verdict; absent when checks were skipped or DMARC is off (the
  // decision is then "deliver").
  std::optional<DmarcStep> dmarc;
  // The local policy's decision: the DMARC step's, kept there only, or "deliver" without one.
  const decision::Decision& decision() const;
  // The SMTP answer: proceed (deliver or quarantine), reject 550 5.7.1 or tempfail 451 4.7.0
  // (the decision's, or too many forged AR headers). Dry run (a DMARC setting) never makes the
  // DMARC decision refuse; the resource bounds still do.
  StageReply reply;
  // The row for the aggregate-report store; absent when no DMARC policy applied, or when the
  // message is answered 4xx (its retry is counted).
  std::optional<report::ReportRecord> report_row;
  // Quarantine by header (decision.add_header): the field to add.
  std::string quarantine_header_name;
  std::string quarantine_header_value;
  // DNS for this message (also in log_summary): the per-message budget ran out, so later lookups
  // answered temperror; and the first answer a size bound cut ("TXT <name>"), empty if none.
  bool dns_budget_spent = false;
  std::string dns_answer_truncated;
};

class MessageEvaluation {
 public:
  MessageEvaluation(const EvaluationSettings& settings, ConnectionFacts connection,
                    Envelope envelope);

  // Why checks are skipped for this message ("trusted network", "authenticated"), or empty.
  const std::string& skip_reason() const { return skip_reason_; }

  void check_sender();  // SPF for MAIL FROM (and HELO when configured); DNS happens here
  StageReply recipient(std::string_view address);
  void header(std::string_view name, std::string_view value);
  void end_of_headers();
  void body_chunk(std::span<const char> chunk);
  MessageOutcome end_of_message();

  // The MTA's queue id, when it becomes known (Postfix assigns it at the first accepted RCPT).
  void set_queue_id(std::string queue_id) { envelope_.queue_id = std::move(queue_id); }
  const Envelope& envelope() const { return envelope_; }
  const std::optional<spf::SpfResult>& spf_mail_from() const { return spf_mail_from_; }
  // The bounds this message went over since the last call (each bound reported once per
  // message): call after recipient() and after end_of_message(), and log each.
  std::vector<LimitBreach> take_limit_breaches() { return std::exchange(limit_breaches_, {}); }

 private:
  bool exempt_from_spf_rejection(std::string_view recipient) const;
  void note_dmarc_header(std::string_view name, std::string_view value);
  void run_dmarc_step_and_decide(const std::vector<dkim::DkimResult>& dkim,
                                 const arc::ArcResult* arc, MessageOutcome& outcome) const;
  void note_dns(MessageOutcome& outcome) const;
  bool count_header(std::string_view name, std::string_view value);
  bool header_section_too_large() const;
  MessageOutcome refuse_header_section();
  bool list_forged_headers(MessageOutcome& outcome);
  void note_signature_limit();
  void keep_for_failure_report(std::string_view name, std::string_view value);
  void attach_failure_record(const std::vector<dkim::DkimResult>& dkim,
                             MessageOutcome& outcome) const;

  const EvaluationSettings& settings_;
  const EvaluationOptions& options_;  // settings_.options, read at every stage
  ConnectionFacts connection_;
  Envelope envelope_;
  std::string skip_reason_;
  std::optional<spf::SpfResult> spf_mail_from_;
  std::optional<spf::SpfResult> spf_helo_;
  // Every lookup of this message goes through here (SPF, DKIM keys, DMARC): the per-message DNS
  // budget. Declared before dkim_, which borrows it; a stable address, since the object moves.
  std::unique_ptr<dns::BudgetedResolver> dns_;
  std::optional<dkim::DkimVerifier> dkim_;  // fed as the message streams by; none when skipped
  std::optional<arc::ArcVerifier> arc_;     // likewise; none when skipped or ARC is off
  int authentication_results_seen_ = 0;
  std::vector<int> forged_header_indices_;
  std::size_t forged_headers_seen_ = 0;   // counted on past the bound, for the log line
  std::vector<std::string> from_values_;  // at most dmarc::kMaxFromHeaders + 1 kept
  decision::IndirectFlowSigns indirect_flow_;
  std::size_t recipients_refused_ = 0;  // over options.limits.max_recipients
  std::size_t header_fields_ = 0;       // every field seen, also past the bounds
  std::size_t header_bytes_ = 0;
  std::size_t dkim_signatures_ = 0;  // DKIM-Signature fields within the bounds
  std::vector<LimitBreach> limit_breaches_;
  // failure_reports.enabled only: the header section as received, up to its byte bound.
  std::string failure_headers_;
  bool failure_headers_cut_ = false;
};

}  // namespace authmilter::evaluation
