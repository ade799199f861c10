#include "conf/domain_setting.h"

#include <algorithm>

#include "dmarc/domain_name.h"

namespace authmilter::conf {

namespace {

// RFC 1123 §2.1 host-name labels: no label starts or ends with a hyphen.
bool hyphens_ok(const std::string& domain) {
  for (std::size_t start = 0; start < domain.size();) {
    const auto end = std::min(domain.find('.', start), domain.size());
    if (end == start || domain[start] == '-' || domain[end - 1] == '-') return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string domain_setting(YamlSection& section, const std::string& key, const std::string& text) {
  const auto domain = dmarc::normalize_domain(text);
  if (!domain || !hyphens_ok(*domain)) section.fail(key, "'" + text + "' is not a domain name");
  return *domain;
}

}  // namespace authmilter::conf
