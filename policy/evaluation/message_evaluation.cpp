#include "evaluation/message_evaluation.h"

#include <strings.h>

#include <algorithm>
#include <ctime>

#include "authres/authres.h"
#include "common/ascii.h"
#include "dkim/signature_field.h"
#include "dmarc/from_address.h"
#include "evaluation/authres_clauses.h"
#include "evaluation/failure_record_builder.h"
#include "evaluation/message_report_record.h"
#include "evaluation/outcome_metrics.h"
#include "evaluation/reply_text.h"

namespace authmilter::evaluation {

namespace {

// The share of the DNS budget held back for the DMARC step (see BudgetedResolver::hold_back).
constexpr int kDmarcReserveDivisor = 4;

metrics::DurationHistogram& check_duration(metrics::Method method) {
  return metrics::registry().check_duration[metrics::index_of(method)];
}

bool is_authentication_results(std::string_view name) {
  static constexpr std::string_view kName = "Authentication-Results";
  return name.size() == kName.size() && strncasecmp(name.data(), kName.data(), kName.size()) == 0;
}

std::string skip_reason_for(const EvaluationOptions& options, const ConnectionFacts& connection,
                            const Envelope& envelope) {
  if (connection.client_address) {
    for (const auto& network : options.trusted_networks)
      if (network.contains(*connection.client_address)) return "trusted network";
  }
  if (options.skip_authenticated && !envelope.authenticated_user.empty()) return "authenticated";
  return {};
}

}  // namespace

const decision::Decision& MessageOutcome::decision() const {
  static const decision::Decision kDeliver;
  return dmarc ? dmarc->decision : kDeliver;
}

MessageEvaluation::MessageEvaluation(const EvaluationSettings& settings, ConnectionFacts connection,
                                     Envelope envelope)
    : settings_(settings),
      options_(settings.options),
      connection_(std::move(connection)),
      envelope_(std::move(envelope)) {
  skip_reason_ = skip_reason_for(options_, connection_, envelope_);
  if (settings_.resolver != nullptr) {
    dns_ =
        std::make_unique<dns::BudgetedResolver>(*settings_.resolver, settings_.dns_message_budget);
    // A quarter of the budget (5 s of the default 20 s: one whole query) waits for DMARC.
    dns_->hold_back(settings_.dns_message_budget / kDmarcReserveDivisor);
  }
  if (skip_reason_.empty() && settings_.dkim != nullptr && dns_) {
    dkim_.emplace(*settings_.dkim, *dns_);
    if (options_.arc_enabled) arc_.emplace(*settings_.dkim, *dns_, options_.arc);
  }
}

void MessageEvaluation::check_sender() {
  if (!skip_reason_.empty() || !connection_.client_address || !dns_) return;
  const metrics::ScopedTimer timer(check_duration(metrics::Method::spf));
  const spf::SpfQuery query{*connection_.client_address, connection_.helo, envelope_.mail_from};
  spf_mail_from_ = spf::check_mail_from(query, *dns_, options_.spf);
  // With a null sender the MAIL FROM check already was the HELO check (RFC 7208 §2.4).
  if (options_.spf_policy.check_helo && !envelope_.mail_from.empty())
    spf_helo_ = spf::check_helo(query, *dns_, options_.spf);
}

bool MessageEvaluation::exempt_from_spf_rejection(std::string_view recipient) const {
  const auto at = recipient.rfind('@');
  const std::string_view local_part = recipient.substr(0, at);
  for (const auto& exempt : options_.spf_policy.exempt_recipients) {
    const bool whole_address = exempt.find('@') != std::string::npos;
    if (equal_ignoring_case(whole_address ? recipient : local_part, exempt)) return true;
  }
  return false;
}

StageReply MessageEvaluation::recipient(std::string_view address) {
  if (spf_mail_from_ && !exempt_from_spf_rejection(address)) {
    const auto& policy = options_.spf_policy;
    if (policy.reject_on_fail && spf_mail_from_->code == spf::SpfCode::fail) {
      count_recipient_refusal(metrics::RecipientRefusal::spf_fail);
      return {.kind = StageReply::Kind::reject,
              .refusal = {.code = "550",
                          .enhanced = "5.7.23",
                          .text = reply_text("SPF fail: " + spf_mail_from_->explanation)}};
    }
    if (policy.on_temperror == TemperrorAction::tempfail &&
        spf_mail_from_->code == spf::SpfCode::temperror) {
      count_recipient_refusal(metrics::RecipientRefusal::spf_temperror);
      return {.kind = StageReply::Kind::tempfail,
              .refusal = {.code = "451",
                          .enhanced = "4.7.24",
                          .text = reply_text("SPF temporary error: " + spf_mail_from_->reason)}};
    }
  }
  const std::size_t max_recipients = options_.limits.max_recipients;
  if (envelope_.recipients.size() >= max_recipients) {
    // RFC 5321 §4.5.3.1.10: "452 too many recipients"; the client retries the rest later.
    if (recipients_refused_++ == 0)
      limit_breaches_.push_back({.bound = "limits.max_recipients",
                                 .limit = max_recipients,
                                 .value = max_recipients + 1,
                                 .consequence = "recipient refused 452 4.5.3"});
    count_recipient_refusal(metrics::RecipientRefusal::max_recipients);
    return {.kind = StageReply::Kind::tempfail,
            .refusal = {.code = "452", .enhanced = "4.5.3", .text = "too many recipients"}};
  }
  envelope_.recipients.emplace_back(address);
  return StageReply::proceed();
}

void MessageEvaluation::note_dmarc_header(std::string_view name, std::string_view value) {
  if (equal_ignoring_case(name, "From")) {
    // One more than select_authors() accepts, so that it sees "too many"; an over-long value
    // is cut one byte past the parser's bound, so that the parser refuses it.
    if (from_values_.size() <= dmarc::kMaxFromHeaders)
      from_values_.emplace_back(value.substr(0, dmarc::kMaxFromValueLength + 1));
  } else if (equal_ignoring_case(name, "List-Id") || equal_ignoring_case(name, "List-Post")) {
    indirect_flow_.list_headers = true;
  }
}

// Counts every field; false once the header section is over a bound: nothing more of it is
// processed (bounded work), and end_of_message() refuses the message.
bool MessageEvaluation::count_header(std::string_view name, std::string_view value) {
  ++header_fields_;
  header_bytes_ += name.size() + value.size();
  if (header_section_too_large()) return false;
  if (dkim::is_signature_field(name)) ++dkim_signatures_;
  return true;
}

bool MessageEvaluation::header_section_too_large() const {
  return header_fields_ > options_.limits.max_header_fields ||
         header_bytes_ > options_.limits.max_header_bytes;
}

void MessageEvaluation::header(std::string_view name, std::string_view value) {
  if (!count_header(name, value)) return;
  if (dkim_) dkim_->add_header(name, value);
  if (arc_) arc_->add_header(name, value);
  note_dmarc_header(name, value);
  keep_for_failure_report(name, value);
  if (!is_authentication_results(name)) return;
  ++authentication_results_seen_;
  if (!authres::carries_authserv_id(value, options_.authserv_id)) return;
  ++forged_headers_seen_;
  if (forged_header_indices_.size() < options_.limits.max_forged_authres_headers)
    forged_header_indices_.push_back(authentication_results_seen_);
}

// Whole fields only, in order, until one would pass failure_reports.max_header_bytes.
void MessageEvaluation::keep_for_failure_report(std::string_view name, std::string_view value) {
  const auto& options = options_.failure_reports;
  if (!options.enabled || !skip_reason_.empty() || failure_headers_cut_) return;
  const std::size_t size = name.size() + 1 + value.size() + 2;
  if (failure_headers_.size() + size > options.max_header_bytes) {
    failure_headers_cut_ = true;
    return;
  }
  failure_headers_.append(name).append(":").append(value).append("\r\n");
}

void MessageEvaluation::attach_failure_record(const std::vector<dkim::DkimResult>& dkim,
                                              MessageOutcome& outcome) const {
  if (!options_.failure_reports.enabled || !outcome.report_row || !outcome.dmarc) return;
  outcome.report_row->failure =
      make_failure_record({.options = &options_.failure_reports,
                           .step = &*outcome.dmarc,
                           .spf = &spf_mail_from_,
                           .dkim = &dkim,
                           .mail_from = envelope_.mail_from,
                           .headers = failure_headers_,
                           .headers_cut = failure_headers_cut_,
                           .authentication_results = outcome.authentication_results,
                           .resolver = dns_.get()});
}

void MessageEvaluation::end_of_headers() {
  if (header_section_too_large()) return;
  if (dkim_) dkim_->end_of_headers();
  if (arc_) arc_->end_of_headers();
}

void MessageEvaluation::body_chunk(std::span<const char> chunk) {
  if (header_section_too_large()) return;
  if (dkim_) dkim_->add_body(chunk);
  if (arc_) arc_->add_body(chunk);
}

// RFC 3463 §3.4: X.3.4 "message too big for system"; permanent, a retry would not shrink it.
MessageOutcome MessageEvaluation::refuse_header_section() {
  const auto& limits = options_.limits;
  const char* consequence = "message refused 552 5.3.4";
  if (header_fields_ > limits.max_header_fields)
    limit_breaches_.push_back({.bound = "limits.max_header_fields",
                               .limit = limits.max_header_fields,
                               .value = header_fields_,
                               .consequence = consequence});
  if (header_bytes_ > limits.max_header_bytes)
    limit_breaches_.push_back({.bound = "limits.max_header_bytes",
                               .limit = limits.max_header_bytes,
                               .value = header_bytes_,
                               .consequence = consequence});
  MessageOutcome outcome;
  outcome.reply = {
      .kind = StageReply::Kind::reject,
      .refusal = {.code = "552", .enhanced = "5.3.4", .text = "message header section too large"}};
  outcome.log_summary = "refused: header section over the limits; not checked";
  return outcome;
}

// RFC 6376 §6.1: a verifier may limit the signatures it tries; the rest are dkim=policy.
void MessageEvaluation::note_signature_limit() {
  if (settings_.dkim == nullptr) return;
  const std::size_t max_signatures = settings_.dkim->options().max_signatures;
  if (dkim_signatures_ > max_signatures)
    limit_breaches_.push_back({.bound = "dkim.max_signatures",
                               .limit = max_signatures,
                               .value = dkim_signatures_,
                               .consequence = "signatures beyond it not verified (dkim=policy)"});
}

// The AR headers carrying our authserv-id, to delete; false (and a refusal in outcome) when
// there are too many: we cannot clean the message, so we do not judge it either.
bool MessageEvaluation::list_forged_headers(MessageOutcome& outcome) {
  outcome.forged_header_indices = forged_header_indices_;
  // Deleting index n shifts every later index down: delete from the highest index first.
  std::sort(outcome.forged_header_indices.rbegin(), outcome.forged_header_indices.rend());
  const std::size_t max_forged = options_.limits.max_forged_authres_headers;
  outcome.too_many_forged_headers = forged_headers_seen_ > max_forged;
  if (!outcome.too_many_forged_headers) return true;
  limit_breaches_.push_back({.bound = "limits.max_forged_authres_headers",
                             .limit = max_forged,
                             .value = forged_headers_seen_,
                             .consequence = "message refused 550 5.7.1"});
  outcome.reply = {
      .kind = StageReply::Kind::reject,
      .refusal = {
          .code = "550", .enhanced = "5.7.1", .text = "too many Authentication-Results headers"}};
  return false;
}

MessageOutcome MessageEvaluation::end_of_message() {
  if (header_section_too_large()) return refuse_header_section();
  MessageOutcome outcome;
  if (!list_forged_headers(outcome)) return outcome;
  std::vector<authres::MethodResult> clauses;
  if (spf_mail_from_) clauses.push_back(spf_clause(*spf_mail_from_));
  if (spf_helo_) clauses.push_back(spf_clause(*spf_helo_));
  std::vector<dkim::DkimResult> dkim_results;
  if (dkim_) {
    {
      const metrics::ScopedTimer timer(check_duration(metrics::Method::dkim));
      dkim_results = dkim_->finish();
    }
    note_signature_limit();
    const std::size_t max_listed = settings_.dkim->options().max_signatures;
    for (auto& clause : dkim_clauses(dkim_results, max_listed))
      clauses.push_back(std::move(clause));
  }
  std::optional<arc::ArcResult> arc_result;
  if (arc_) {
    const metrics::ScopedTimer timer(check_duration(metrics::Method::arc));
    arc_result = arc_->finish(std::time(nullptr));
    clauses.push_back(arc_clause(*arc_result, connection_.client_address));
  }
  run_dmarc_step_and_decide(dkim_results, arc_result ? &*arc_result : nullptr, outcome);
  count_check_results({.spf_mail_from = &spf_mail_from_,
                       .spf_helo = &spf_helo_,
                       .dkim_checked = dkim_.has_value(),
                       .dkim = &dkim_results,
                       .dmarc = &outcome.dmarc,
                       .arc = arc_result ? &*arc_result : nullptr});
  if (outcome.dmarc) clauses.push_back(dmarc_clause(*outcome.dmarc));
  outcome.report_row = make_report_record({.time = std::time(nullptr),
                                           .client = connection_.client_address,
                                           .mail_from = envelope_.mail_from,
                                           .recipients = &envelope_.recipients,
                                           .spf = &spf_mail_from_,
                                           .dkim = &dkim_results,
                                           .dmarc = &outcome.dmarc,
                                           .queue_id = envelope_.queue_id});
  outcome.authentication_results = authres::format_authres(options_.authserv_id, clauses);
  attach_failure_record(dkim_results, outcome);
  outcome.log_summary = skip_reason_.empty() ? "" : "checks skipped: " + skip_reason_ + "; ";
  for (const auto& clause : clauses)
    outcome.log_summary += clause.method + "=" + clause.result + " (" + clause.comment + ") ";
  if (outcome.dmarc) {
    const auto& decision = outcome.dmarc->decision;
    outcome.log_summary += std::string("action=") + decision::to_string(decision.intended) +
                           (decision.dry_run ? " (dry run)" : "") + " (" + decision.why + ")";
  }
  note_dns(outcome);
  return outcome;
}

// The DNS facts of this message, in its one log line: a spent budget explains the temperrors.
void MessageEvaluation::note_dns(MessageOutcome& outcome) const {
  if (!dns_) return;
  outcome.dns_budget_spent = dns_->exhausted();
  outcome.dns_answer_truncated = dns_->first_truncated();
  count_dns_trouble(outcome.dns_budget_spent, !outcome.dns_answer_truncated.empty());
  if (outcome.dns_budget_spent)
    outcome.log_summary += "; DNS budget of " + std::to_string(dns_->budget().count()) +
                           " ms spent (" + std::to_string(dns_->refused()) +
                           " later lookups answered temperror)";
  if (!outcome.dns_answer_truncated.empty())
    outcome.log_summary +=
        "; DNS answer cut at a size bound (" + outcome.dns_answer_truncated + ")";
}

void MessageEvaluation::run_dmarc_step_and_decide(const std::vector<dkim::DkimResult>& dkim,
                                                  const arc::ArcResult* arc,
                                                  MessageOutcome& outcome) const {
  if (!skip_reason_.empty() || !options_.dmarc_enabled || !dns_) return;
  DmarcStepInput input;
  input.from_values = from_values_;
  input.spf = &spf_mail_from_;
  input.dkim = &dkim;
  input.signs = indirect_flow_;
  if (arc != nullptr && arc->code == arc::ArcCode::pass && !arc->instances.empty())
    input.signs.arc_pass_sealer = arc->instances.back().seal.domain;
  input.arc = arc;
  input.client = connection_.client_address;
  input.dns_budget_spent = dns_->exhausted();
  dns_->release_reserve();
  const metrics::ScopedTimer timer(check_duration(metrics::Method::dmarc));
  outcome.dmarc = run_dmarc_step(input, *dns_, options_.dmarc, options_.local_policy);
  const auto& decision = outcome.dmarc->decision;
  using decision::Action;
  if (decision.action == Action::reject || decision.action == Action::tempfail) {
    outcome.reply = {.kind = decision.action == Action::reject ? StageReply::Kind::reject
                                                               : StageReply::Kind::tempfail,
                     .refusal = decision.refusal};
    outcome.reply.refusal.text = reply_text(decision.refusal.text);  // the milter's line rules
  }
  if (decision.add_header) {
    outcome.quarantine_header_name = options_.local_policy.quarantine_header_name;
    outcome.quarantine_header_value = options_.local_policy.quarantine_header_value;
  }
}

}  // namespace authmilter::evaluation
