// author_selection.h - which author domain(s) to evaluate, given every From header of a
// message, under a configurable answer to the ambiguous cases.
//
// RFC 9989 §5.3.1: with zero or several author domains "DMARC validation is not possible";
// the receiver MAY go on anyway. Ignoring all but one domain is the bypass class of
// OpenDMARC's CVE-2019-16378 ("From: a@x.org, b@evil.example"), so ambiguity is never
// resolved by picking one. select_authors() is pure:
//   no From header              -> verdict no_author
//   no usable author domain     -> verdict invalid (no address, bad domain, over bounds)
//   one header, one domain      -> verdict evaluate, domains = {that domain}
//     (several mailboxes of the same domain count as one domain, RFC 7489 §6.6.1)
//   otherwise (several From headers, several distinct domains, or a usable domain beside an
//   unusable part: a mailbox without a domain, more than kMaxFromHeaders headers, more than
//   kMaxFromAddresses mailboxes) per MultipleFromPolicy, over the usable domains:
//     reject    -> verdict reject
//     fail      -> verdict fail (treat as DMARC fail; domains listed for logs/reports)
//     strictest -> verdict evaluate with every distinct domain; the caller evaluates each
//                  and keeps strictest_result() (evaluate.h)
#pragma once

#include <string>
#include <vector>

namespace authmilter::dmarc {

enum class MultipleFromPolicy { reject, strictest, fail };
enum class AuthorVerdict { evaluate, no_author, invalid, reject, fail };

const char* to_string(AuthorVerdict verdict);

inline constexpr std::size_t kMaxFromHeaders = 16;  // our bound; RFC 5322 §3.6 allows one

struct AuthorSelection {
  AuthorVerdict verdict = AuthorVerdict::no_author;
  std::vector<std::string> domains;  // distinct author domains found, in header order
  std::string reason;
};

AuthorSelection select_authors(const std::vector<std::string>& from_values,
                               MultipleFromPolicy policy);

}  // namespace authmilter::dmarc
