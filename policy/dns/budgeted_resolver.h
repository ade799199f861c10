// budgeted_resolver.h - a per-message DNS time budget in front of the shared resolver.
//
// One message may make dozens of lookups (10 SPF terms, a key per DKIM signature, a DMARC tree
// walk per identifier), each allowed the full per-query timeout: a hostile sender whose zone
// never answers could hold a milter thread for minutes. A BudgetedResolver counts the time the
// message spends waiting for DNS, in all, and stops at the budget:
//   - each lookup is passed on with a deadline: the caller's, or the budget's end if sooner, so
//     that the inner resolver cuts a lookup in flight (Resolver::*_until(), resolver.h);
//   - once the time waited reaches the budget, it is spent: every further lookup answers
//     Outcome::timeout at once, without asking the inner resolver. SPF, DKIM and DMARC turn
//     that into temperror, never pass.
// Time between lookups (the client sending the body) does not count, only time inside them.
//
// Part of the budget can be held back (hold_back) until release_reserve(): the message's own
// DMARC record must not go unasked because a sender's slow SPF or DKIM zones spent everything
// first, or a spoofed p=reject author would end in temperror, which is accepted by default.
// The total never exceeds the budget.
// An answer that arrives is kept even if it used up the rest of the budget.
//
// It also notes the first answer that a bound cut (Answer::truncated), so that the message's
// log line can say so once.
//
// Ownership and call order: one per message, built on the shared resolver, which it borrows
// and which must outlive it; it must outlive everything that holds it as a Resolver& (the
// DkimVerifier). A budget of zero means no budget (lookups pass through; truncation is still
// noted). Not thread-safe: one message is evaluated by one thread. The clock is injectable
// for tests.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "dns/resolver.h"

namespace authmilter::dns {

class BudgetedResolver : public DeadlineResolver {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  BudgetedResolver(Resolver& inner, std::chrono::milliseconds budget, Clock clock = {});

  TxtAnswer lookup_txt_until(std::string_view name, Deadline deadline) override;
  AddressAnswer lookup_addresses_until(std::string_view name, net::IpFamily family,
                                       Deadline deadline) override;
  MxAnswer lookup_mx_until(std::string_view name, Deadline deadline) override;
  NameAnswer lookup_ptr_until(const net::IpAddress& address, Deadline deadline) override;

  // Keeps `reserve` (at most the budget) out of reach until release_reserve().
  void hold_back(std::chrono::milliseconds reserve);
  void release_reserve();

  std::chrono::milliseconds budget() const { return budget_; }
  // Time spent waiting for DNS so far.
  std::chrono::steady_clock::duration spent() const { return spent_; }
  // True once the budget (or the part of it within reach) was used up: lookups were then
  // answered timeout unasked, until a reserve was released, if one was.
  bool exhausted() const { return ever_exhausted_; }
  // Lookups answered timeout without asking because the budget was spent.
  int refused() const { return refused_; }
  // "TXT <name>" for the first answer a bound cut; empty when none was.
  const std::string& first_truncated() const { return first_truncated_; }

 private:
  template <class AnswerType, class Ask>
  AnswerType run(Deadline caller_deadline, const char* type, std::string_view name, Ask ask);

  Resolver& inner_;
  std::chrono::milliseconds budget_;
  Clock clock_;
  std::chrono::steady_clock::duration limit() const;  // the budget less what is held back

  std::chrono::milliseconds reserve_{0};
  std::chrono::steady_clock::duration spent_{0};
  bool exhausted_ = false;  // now
  bool ever_exhausted_ = false;
  int refused_ = 0;
  std::string first_truncated_;
};

}  // namespace authmilter::dns
