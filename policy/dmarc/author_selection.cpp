#include "dmarc/author_selection.h"

#include <algorithm>

#include "dmarc/from_address.h"

namespace authmilter::dmarc {

namespace {

AuthorSelection ambiguous(std::vector<std::string> domains, std::string why,
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
  if (from_values.size() > kMaxFromHeaders) {
    out.verdict = AuthorVerdict::invalid;
    out.reason = "more than " + std::to_string(kMaxFromHeaders) + " From headers";
    return out;
  }
  std::vector<std::string> domains;
  for (const auto& value : from_values) {
    const auto authors = parse_from_header(value);
    if (authors.status == FromStatus::no_address || authors.status == FromStatus::unparseable) {
      out.verdict = AuthorVerdict::invalid;
      out.reason = "From header: " + authors.reason;
      return out;
    }
    for (auto& domain : authors.unique_domains()) {
      if (std::find(domains.begin(), domains.end(), domain) == domains.end()) {
        domains.push_back(std::move(domain));
      }
    }
  }
  if (from_values.size() > 1) {
    auto why = std::to_string(from_values.size()) + " From headers";
    return ambiguous(std::move(domains), std::move(why), policy);
  }
  if (domains.size() > 1) {
    auto why = std::to_string(domains.size()) + " author domains";
    return ambiguous(std::move(domains), std::move(why), policy);
  }
  out.verdict = AuthorVerdict::evaluate;
  out.domains = std::move(domains);
  return out;
}

}  // namespace authmilter::dmarc
