// pipeline_invariants.h - what must hold for every message the pipeline judges, whatever the
// input: the checks pipeline_fuzz makes after each end_of_message().
//
// TracingResolver wraps the fuzzed ZoneResolver and remembers the outcome of every TXT lookup,
// so that the checks can tell which records DNS failed to give (SERVFAIL or timeout).
// check_outcome() returns an empty string when every invariant holds, else a description of
// the first one broken (the fuzzer prints it and aborts):
//   1. the AR value starts with the authserv-id and a ';'; it has no CR, no control character
//      other than the TAB of a fold, and every LF is a fold ("\n\t", FoldStyle::lf);
//   2. the AR value parses (authres/parse.h) and names our authserv-id;
//   3. dmarc=pass only with an aligned pass: SPF pass for a MAIL FROM domain aligned with the
//      From domain, or a DKIM pass (in the AR) whose d= is aligned with it; "aligned" is checked
//      independently: equal, or both inside the subtree of the Organizational Domain found;
//   4. no pass from a record DNS did not give: no spf=pass when the TXT lookup of the checked
//      domain failed, no dkim=pass unless <s>._domainkey.<d> was answered, no dmarc=pass when
//      _dmarc.<From domain> failed;
//   5. reply texts are one line; forged AR indices are in range, distinct, highest first.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "dns/resolver.h"
#include "evaluation/message_evaluation.h"

namespace authmilter::fuzz {

class TracingResolver final : public dns::Resolver {
 public:
  explicit TracingResolver(dns::Resolver& inner) : inner_(inner) {}

  dns::TxtAnswer lookup_txt(std::string_view name) override;
  dns::AddressAnswer lookup_addresses(std::string_view name, net::IpFamily family) override {
    return inner_.lookup_addresses(name, family);
  }
  dns::MxAnswer lookup_mx(std::string_view name) override { return inner_.lookup_mx(name); }
  dns::NameAnswer lookup_ptr(const net::IpAddress& address) override {
    return inner_.lookup_ptr(address);
  }

  // Every outcome a TXT lookup of `name` had (lower-cased, no trailing dot).
  const std::set<dns::Outcome>& txt_outcomes(std::string_view name) const;
  bool txt_failed(std::string_view name) const;

 private:
  dns::Resolver& inner_;
  std::map<std::string, std::set<dns::Outcome>> txt_outcomes_;
};

struct CheckContext {
  std::string_view authserv_id;
  const evaluation::MessageEvaluation* evaluation = nullptr;
  const TracingResolver* dns = nullptr;
  int authentication_results_headers = 0;  // AR fields the message had
};

std::string check_outcome(const evaluation::MessageOutcome& outcome, const CheckContext& context);

// check_reply - a StageReply's text is one line without control characters.
std::string check_reply(const evaluation::StageReply& reply);

}  // namespace authmilter::fuzz
