// message_evaluation.h - the per-message pipeline: one method per milter stage.
//
// The milter's Session (filter/) and authmilter-check both drive this object, so the daemon and the
// offline checker cannot disagree. Call order: the constructor (connection facts + envelope sender
// known), check_sender() once, recipient()*, header()*, end_of_headers(), body_chunk()*,
// end_of_message() once. Plain values in, plain values out; no libmilter here. Not thread-safe:
// one per message. The settings (and the resolver they borrow) must outlive it.
// header() also collects what DMARC needs (every From value, bounded; List-Id/List-Post and
// ARC-Seal as signs of an indirect flow); end_of_message() runs DMARC (dmarc_step.h) and the
// local policy (decision/decision.h) and returns the verdict in MessageOutcome::reply/decision:
// the caller only carries it out (refuse, hold, add the quarantine header, deliver).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/dkim_verifier.h"
#include "evaluation/dmarc_step.h"
#include "evaluation/evaluation_settings.h"
#include "net/ip_address.h"
#include "report/report_record.h"
#include "spf/spf.h"

namespace authmilter::evaluation {

// Limits on what one message may make us keep (peer data is untrusted).
inline constexpr std::size_t kMaxRecipientsKept = 1000;
inline constexpr std::size_t kMaxAuthResultsHeaders = 100;  // forged AR headers we can delete

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

// An SMTP answer for a stage: go on, or refuse with a code, enhanced code and text.
struct StageReply {
  enum class Kind { proceed, reject, tempfail };
  Kind kind = Kind::proceed;
  std::string code;      // "550"
  std::string enhanced;  // "5.7.23"
  std::string text;      // one line, no CR/LF

  static StageReply proceed() { return {}; }
};

// The answer to the MTA and the header edits, computed at end of message.
struct MessageOutcome {
  std::string authentication_results;  // field value of the one AR header to insert on top
  // 1-based occurrence indices among this message's Authentication-Results headers that carry
  // our authserv-id, highest first: delete them in this order (CVE-2022-48521).
  std::vector<int> forged_header_indices;
  bool too_many_forged_headers = false;  // more than kMaxAuthResultsHeaders: reject, cannot clean
  std::string log_summary;               // one line for the log: every result
  // DMARC and the local policy's verdict; absent when checks were skipped or DMARC is off (the
  // decision is then "deliver").
  std::optional<DmarcStep> dmarc;
  decision::Decision decision;
  // The SMTP answer: proceed (deliver or quarantine), reject 550 5.7.1 or tempfail 451 4.7.0
  // (the decision's, or too many forged AR headers); never a refusal in dry run.
  StageReply reply;
  // The row for the aggregate-report store; absent when no DMARC policy applied.
  std::optional<report::ReportRecord> report_row;
  // Quarantine by header (decision.add_header): the field to add.
  std::string quarantine_header_name;
  std::string quarantine_header_value;
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

 private:
  bool exempt_from_spf_rejection(std::string_view recipient) const;
  void note_dmarc_header(std::string_view name, std::string_view value);
  void decide_dmarc(const std::vector<dkim::DkimResult>& dkim, MessageOutcome& outcome) const;

  const EvaluationSettings& settings_;
  ConnectionFacts connection_;
  Envelope envelope_;
  std::string skip_reason_;
  std::optional<spf::SpfResult> spf_mail_from_;
  std::optional<spf::SpfResult> spf_helo_;
  std::optional<dkim::DkimVerifier> dkim_;  // fed as the message streams by; none when skipped
  int authentication_results_seen_ = 0;
  std::vector<int> forged_header_indices_;
  bool too_many_forged_headers_ = false;
  std::vector<std::string> from_values_;  // at most dmarc::kMaxFromHeaders + 1 kept
  decision::IndirectFlowSigns indirect_flow_;
};

}  // namespace authmilter::evaluation
