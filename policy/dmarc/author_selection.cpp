#include "dmarc/author_selection.h"

#include <algorithm>

#include "dmarc/from_address.h"

namespace authmilter::dmarc {

namespace {

AuthorSelection ambiguous(std::vector<std::string> domains, const std::string& why,
                          MultipleFromPolicy policy) {
  AuthorSelection out;
  out.domains = std::move(domains);
  switch (policy) {
    case MultipleFromPolicy::reject:
      out.verdict = AuthorVerdict::reject;
      out.reason = why + ": rejected by local policy";
      break;
    case MultipleFromPolicy::fail:
      out.verdict = AuthorVerdict::fail;
      out.reason = why + ": treated as DMARC fail";
      break;
    case MultipleFromPolicy::strictest:
      out.verdict = AuthorVerdict::evaluate;
      out.reason = why + ": every domain evaluated, strictest result applies";
      break;
  }
  return out;
}

}  // namespace

const char* to_string(AuthorVerdict verdict) {
  switch (verdict) {
    case AuthorVerdict::evaluate:
      return "evaluate";
    case AuthorVerdict::no_author:
      return "no_author";
    case AuthorVerdict::invalid:
      return "invalid";
    case AuthorVerdict::reject:
      return "reject";
    case AuthorVerdict::fail:
      return "fail";
  }
  return "invalid";
}

AuthorSelection select_authors(const std::vector<std::string>& from_values,
                               MultipleFromPolicy policy) {
  AuthorSelection out;
  if (from_values.empty()) {
    out.reason = "no From header";
    return out;
  }
  // A usable author next to an unusable part (a second mailbox without a domain, too many
  // headers or addresses) is still an author a reader sees: it goes to the ambiguity policy,
  // never to no_from, or "From: ceo@bank.example, x" would skip DMARC under no_from: accept.
  std::vector<std::string> domains;
  std::string unusable;
  const std::size_t parsed = std::min(from_values.size(), kMaxFromHeaders);
  if (from_values.size() > kMaxFromHeaders)
    unusable = "more than " + std::to_string(kMaxFromHeaders) + " From headers";
  for (std::size_t i = 0; i < parsed; ++i) {
    const auto authors = parse_from_header(from_values[i]);
    const bool bad =
        authors.status == FromStatus::no_address || authors.status == FromStatus::unparseable;
    if (bad && unusable.empty()) unusable = "From header: " + authors.reason;
    for (auto& domain : authors.unique_domains()) {
      if (std::find(domains.begin(), domains.end(), domain) == domains.end()) {
        domains.push_back(std::move(domain));
      }
    }
  }
  if (domains.empty()) {
    out.verdict = AuthorVerdict::invalid;
    out.reason = unusable.empty() ? "From header: no usable address" : std::move(unusable);
    return out;
  }
  if (!unusable.empty()) return ambiguous(std::move(domains), unusable, policy);
  if (from_values.size() > 1) {
    auto why = std::to_string(from_values.size()) + " From headers";
    return ambiguous(std::move(domains), why, policy);
  }
  if (domains.size() > 1) {
    auto why = std::to_string(domains.size()) + " author domains";
    return ambiguous(std::move(domains), why, policy);
  }
  out.verdict = AuthorVerdict::evaluate;
  out.domains = std::move(domains);
  return out;
}

}  // namespace authmilter::dmarc
