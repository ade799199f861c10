#include "dmarc/alignment.h"

#include "common/domain_name.h"
#include "dmarc/domain_name.h"

namespace authmilter::dmarc {

namespace {

std::string_view top_label(std::string_view domain) {
  const auto dot = domain.rfind('.');
  return dot == std::string_view::npos ? domain : domain.substr(dot + 1);
}

}  // namespace

AlignmentCheck check_alignment(std::string_view author_domain, std::string_view identifier,
                               AlignmentMode mode, OrgDomainFinder& finder) {
  AlignmentCheck check;
  const auto author = normalize_domain(author_domain);
  const auto other = normalize_domain(identifier);
  if (!author || !other) {
    check.reason = "malformed domain name";
    return check;
  }
  if (*author == *other) {
    check.result = Alignment::aligned;
    check.identical = true;
    return check;
  }
  if (mode == AlignmentMode::strict || top_label(*author) != top_label(*other)) {
    check.reason = *other + " is not " + *author;
    return check;
  }
  const auto author_org = finder.find(*author);
  // An Organizational Domain is the name itself or one of its parents, under the tree walk and
  // the PSL alike: a name that is neither the author's one nor below it cannot align, and is
  // not looked up. Else a sender could make its own DNS fail (or spend the query budget) and
  // turn a spoofed author's "fail" into "temperror".
  if (!author_org.temporary_failure && *other != author_org.domain &&
      !is_proper_subdomain(*other, author_org.domain)) {
    check.reason = *other + " is not within " + author_org.domain + " (org of " + *author + ")";
    return check;
  }
  const auto other_org = author_org.temporary_failure ? author_org : finder.find(*other);
  if (author_org.temporary_failure || other_org.temporary_failure) {
    check.result = Alignment::undetermined;
    check.reason = "organizational domain unknown: " +
                   (author_org.temporary_failure ? author_org.reason : other_org.reason);
    return check;
  }
  if (author_org.domain == other_org.domain) {
    check.result = Alignment::aligned;
  } else {
    check.reason = *other + " (org " + other_org.domain + ") vs " + *author + " (org " +
                   author_org.domain + ")";
  }
  return check;
}

}  // namespace authmilter::dmarc
