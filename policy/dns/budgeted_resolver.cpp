#include "dns/budgeted_resolver.h"

#include <algorithm>

namespace authmilter::dns {

namespace {

// Kept short: the note goes into the message's one log line.
constexpr std::size_t kMaxNotedNameLength = 255;  // RFC 1035 §2.3.4: a name is at most 255 octets

}  // namespace

BudgetedResolver::BudgetedResolver(Resolver& inner, std::chrono::milliseconds budget, Clock clock)
    : inner_(inner),
      budget_(std::max(budget, std::chrono::milliseconds::zero())),
      clock_(clock ? std::move(clock) : Clock(&std::chrono::steady_clock::now)) {}

void BudgetedResolver::hold_back(std::chrono::milliseconds reserve) {
  reserve_ = std::clamp(reserve, std::chrono::milliseconds::zero(), budget_);
}

void BudgetedResolver::release_reserve() {
  reserve_ = std::chrono::milliseconds::zero();
  exhausted_ = budget_.count() > 0 && spent_ >= limit();
}

std::chrono::steady_clock::duration BudgetedResolver::limit() const {
  return budget_ - reserve_;
}

template <class AnswerType, class Ask>
AnswerType BudgetedResolver::run(Deadline caller_deadline, const char* type, std::string_view name,
                                 Ask ask) {
  if (exhausted_) {
    ++refused_;
    AnswerType refused;
    refused.outcome = Outcome::timeout;
    return refused;
  }
  const auto started = clock_();
  Deadline deadline = caller_deadline;
  const bool budgeted = budget_.count() > 0;
  if (budgeted) {
    // Remaining budget as a deadline; never past Deadline::max() (no overflow).
    const auto remaining = limit() - spent_;
    if (Deadline::max() - started > remaining) deadline = std::min(deadline, started + remaining);
  }
  AnswerType answer = ask(deadline);
  spent_ += std::max(clock_() - started, std::chrono::steady_clock::duration::zero());
  if (budgeted && spent_ >= limit()) exhausted_ = ever_exhausted_ = true;
  if (answer.truncated && first_truncated_.empty()) {
    first_truncated_ = std::string(type) + " " + std::string(name.substr(0, kMaxNotedNameLength));
  }
  return answer;
}

TxtAnswer BudgetedResolver::lookup_txt_until(std::string_view name, Deadline deadline) {
  return run<TxtAnswer>(deadline, "TXT", name,
                        [&](Deadline until) { return inner_.lookup_txt_until(name, until); });
}

AddressAnswer BudgetedResolver::lookup_addresses_until(std::string_view name, net::IpFamily family,
                                                       Deadline deadline) {
  return run<AddressAnswer>(
      deadline, family == net::IpFamily::v4 ? "A" : "AAAA", name,
      [&](Deadline until) { return inner_.lookup_addresses_until(name, family, until); });
}

MxAnswer BudgetedResolver::lookup_mx_until(std::string_view name, Deadline deadline) {
  return run<MxAnswer>(deadline, "MX", name,
                       [&](Deadline until) { return inner_.lookup_mx_until(name, until); });
}

NameAnswer BudgetedResolver::lookup_ptr_until(const net::IpAddress& address, Deadline deadline) {
  const std::string name = address.reverse_name();
  return run<NameAnswer>(deadline, "PTR", name,
                         [&](Deadline until) { return inner_.lookup_ptr_until(address, until); });
}

}  // namespace authmilter::dns
