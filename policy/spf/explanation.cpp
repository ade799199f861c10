// explanation.cpp - the explanation string of a fail (RFC 7208 §6.2).
//
// Fetched once, after the result is known, and outside the DNS-term and void-lookup limits
// (RFC 7208 §4.6.4 counts only the evaluation). Every problem (bad expansion, DNS error, no or
// several TXT records, an answer cut at a size bound, non-ASCII or bad macro syntax in the
// text) falls back to the default.
#include "spf/check_host.h"
#include "spf/domain_name.h"

namespace authmilter::spf {

namespace {

bool is_printable_ascii(const std::string& text) {
  for (unsigned char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

}  // namespace

std::optional<std::string> CheckHost::fetch_explanation(const HostOutcome& outcome) {
  if (!outcome.exp_spec) return std::nullopt;
  const std::optional<std::string> target = expand_target(*outcome.exp_spec, outcome.exp_domain);
  if (!target) return std::nullopt;
  const dns::TxtAnswer answer = resolver_.lookup_txt(*target);
  // A cut answer (a size bound) may hide a second record, or be part of one: default text.
  if (!answer.ok() || answer.truncated || answer.records.size() != 1) return std::nullopt;
  const std::string& text = answer.records.front();
  if (text.size() > kMaxMacroOutput || !is_printable_ascii(text)) return std::nullopt;
  inputs_.domain = outcome.exp_domain;
  return expand_macros(text, inputs_, MacroContext::explanation);
}

std::string CheckHost::explain(const HostOutcome& outcome) {
  if (outcome.code != SpfCode::fail) return {};
  if (std::optional<std::string> text = fetch_explanation(outcome)) return *text;
  inputs_.domain = outcome.exp_domain;
  if (auto text = expand_macros(options_.default_explanation, inputs_, MacroContext::explanation))
    return *text;
  return options_.default_explanation;  // not a valid macro-string: show it as configured
}

}  // namespace authmilter::spf
