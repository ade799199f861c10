#include "evaluation/message_evaluation.h"

#include <strings.h>

#include <algorithm>

#include "authres/authres.h"
#include "evaluation/authres_clauses.h"
#include "evaluation/reply_text.h"

namespace authmilter::evaluation {

namespace {

bool is_authentication_results(std::string_view name) {
  static constexpr std::string_view kName = "Authentication-Results";
  return name.size() == kName.size() && strncasecmp(name.data(), kName.data(), kName.size()) == 0;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string skip_reason_for(const EvaluationSettings& settings, const ConnectionFacts& connection,
                            const Envelope& envelope) {
  if (connection.client_address) {
    for (const auto& network : settings.trusted_networks)
      if (network.contains(*connection.client_address)) return "trusted network";
  }
  if (settings.skip_authenticated && !envelope.authenticated_user.empty()) return "authenticated";
  return {};
}

}  // namespace

MessageEvaluation::MessageEvaluation(const EvaluationSettings& settings, ConnectionFacts connection,
                                     Envelope envelope)
    : settings_(settings), connection_(std::move(connection)), envelope_(std::move(envelope)) {
  skip_reason_ = skip_reason_for(settings_, connection_, envelope_);
  if (skip_reason_.empty() && settings_.dkim != nullptr && settings_.resolver != nullptr)
    dkim_.emplace(*settings_.dkim, *settings_.resolver);
}

void MessageEvaluation::check_sender() {
  if (!skip_reason_.empty() || !connection_.client_address || settings_.resolver == nullptr) return;
  const spf::SpfQuery query{*connection_.client_address, connection_.helo, envelope_.mail_from};
  spf_mail_from_ = spf::check_mail_from(query, *settings_.resolver, settings_.spf);
  // With a null sender the MAIL FROM check already was the HELO check (RFC 7208 §2.4).
  if (settings_.spf_policy.check_helo && !envelope_.mail_from.empty())
    spf_helo_ = spf::check_helo(query, *settings_.resolver, settings_.spf);
}

bool MessageEvaluation::exempt_from_spf_rejection(std::string_view recipient) const {
  const auto at = recipient.rfind('@');
  const std::string_view local_part = recipient.substr(0, at);
  for (const auto& exempt : settings_.spf_policy.exempt_recipients) {
    const bool whole_address = exempt.find('@') != std::string::npos;
    if (equal_ignoring_case(whole_address ? recipient : local_part, exempt)) return true;
  }
  return false;
}

StageReply MessageEvaluation::recipient(std::string_view address) {
  if (spf_mail_from_ && !exempt_from_spf_rejection(address)) {
    const auto& policy = settings_.spf_policy;
    if (policy.reject_on_fail && spf_mail_from_->code == spf::SpfCode::fail)
      return {StageReply::Kind::reject, "550", "5.7.23",
              reply_text("SPF fail: " + spf_mail_from_->explanation)};
    if (policy.on_temperror == TemperrorAction::tempfail &&
        spf_mail_from_->code == spf::SpfCode::temperror)
      return {StageReply::Kind::tempfail, "451", "4.7.24",
              reply_text("SPF temporary error: " + spf_mail_from_->reason)};
  }
  if (envelope_.recipients.size() < kMaxRecipientsKept) envelope_.recipients.emplace_back(address);
  return StageReply::proceed();
}

void MessageEvaluation::header(std::string_view name, std::string_view value) {
  if (dkim_) dkim_->add_header(name, value);
  if (!is_authentication_results(name)) return;
  ++authentication_results_seen_;
  if (!authres::carries_authserv_id(value, settings_.authserv_id)) return;
  if (forged_header_indices_.size() >= kMaxAuthResultsHeaders) {
    too_many_forged_headers_ = true;
    return;
  }
  forged_header_indices_.push_back(authentication_results_seen_);
}

void MessageEvaluation::end_of_headers() {
  if (dkim_) dkim_->end_of_headers();
}

void MessageEvaluation::body_chunk(std::span<const char> chunk) {
  if (dkim_) dkim_->add_body(chunk);
}

MessageOutcome MessageEvaluation::end_of_message() {
  MessageOutcome outcome;
  outcome.forged_header_indices = forged_header_indices_;
  // Deleting index n shifts every later index down: delete from the highest index first.
  std::sort(outcome.forged_header_indices.rbegin(), outcome.forged_header_indices.rend());
  outcome.too_many_forged_headers = too_many_forged_headers_;
  std::vector<authres::MethodResult> clauses;
  if (spf_mail_from_) clauses.push_back(spf_clause(*spf_mail_from_));
  if (spf_helo_) clauses.push_back(spf_clause(*spf_helo_));
  if (dkim_) {
    for (auto& clause : dkim_clauses(dkim_->finish())) clauses.push_back(std::move(clause));
  }
  outcome.authentication_results = authres::format_authres(settings_.authserv_id, clauses);
  outcome.log_summary = skip_reason_.empty() ? "" : "checks skipped: " + skip_reason_ + "; ";
  for (const auto& clause : clauses)
    outcome.log_summary += clause.method + "=" + clause.result + " (" + clause.comment + ") ";
  return outcome;
}

}  // namespace authmilter::evaluation
