#include "evaluation/message_evaluation.h"

#include <algorithm>
#include <strings.h>

#include "authres/authres.h"

namespace authmilter::evaluation {

namespace {

bool is_authentication_results(std::string_view name) {
  static constexpr std::string_view kName = "Authentication-Results";
  return name.size() == kName.size() && strncasecmp(name.data(), kName.data(), kName.size()) == 0;
}

}  // namespace

MessageEvaluation::MessageEvaluation(const EvaluationSettings& settings,
                                     ConnectionFacts connection, std::string mail_from)
    : settings_(settings), connection_(std::move(connection)) {
  envelope_.mail_from = std::move(mail_from);
}

void MessageEvaluation::recipient(std::string_view address) {
  if (envelope_.recipients.size() < kMaxRecipientsKept) envelope_.recipients.emplace_back(address);
}

void MessageEvaluation::header(std::string_view name, std::string_view value) {
  if (!is_authentication_results(name)) return;
  ++authentication_results_seen_;
  if (!authres::carries_authserv_id(value, settings_.authserv_id)) return;
  if (forged_header_indices_.size() >= kMaxAuthResultsHeaders) {
    too_many_forged_headers_ = true;
    return;
  }
  forged_header_indices_.push_back(authentication_results_seen_);
}

void MessageEvaluation::end_of_headers() {}

void MessageEvaluation::body_chunk(std::span<const char> /*chunk*/) {}

MessageOutcome MessageEvaluation::end_of_message() {
  MessageOutcome outcome;
  outcome.forged_header_indices = forged_header_indices_;
  // Deleting index n shifts every later index down: delete from the highest index first.
  std::sort(outcome.forged_header_indices.rbegin(), outcome.forged_header_indices.rend());
  outcome.too_many_forged_headers = too_many_forged_headers_;
  outcome.authentication_results = authres::format_authres(settings_.authserv_id, {});
  return outcome;
}

}  // namespace authmilter::evaluation
