#include "dkim/key_record.h"

#include <cctype>

#include "dkim/rsa_key_format.h"

namespace authmilter::dkim {

namespace {

// Labels of letters, digits, '-' and '_' (selectors may use '_'), dot-separated, none empty.
bool plausible_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  char previous = '.';
  for (char c : name) {
    const bool label_char =
        std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
    if (!label_char && c != '.') return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

KeyFetch failure(DkimCode code, std::string reason) {
  KeyFetch fetch;
  fetch.code = code;
  fetch.reason = std::move(reason);
  return fetch;
}

KeyFetch key_from(const dns::TxtAnswer& answer, std::size_t max_length) {
  // Bogus comes as servfail: checked first, it is no key rather than a temporary failure.
  if (answer.dnssec == dns::DnssecStatus::bogus)
    return failure(DkimCode::permerror, kBogusKeyReason);
  switch (answer.outcome) {
    case dns::Outcome::ok:
      break;
    case dns::Outcome::nxdomain:
    case dns::Outcome::nodata:
      return failure(DkimCode::permerror, "no key");
    case dns::Outcome::servfail:
      return failure(DkimCode::temperror, "key lookup failed (SERVFAIL)");
    case dns::Outcome::timeout:
      return failure(DkimCode::temperror, "key lookup timed out");
  }
  if (answer.records.empty()) return failure(DkimCode::permerror, "no key");
  if (answer.records.size() > 1) return failure(DkimCode::permerror, "multiple key records");
  if (answer.truncated) return failure(DkimCode::permerror, "key record too long");
  KeyFetch fetch;
  fetch.record = normalize_key_record(answer.records.front());
  if (fetch.record.size() > max_length) return failure(DkimCode::permerror, "key record too long");
  fetch.found = true;
  return fetch;
}

}  // namespace

std::string key_query_name(std::string_view selector, std::string_view domain) {
  if (!plausible_name(selector) || !plausible_name(domain)) return {};
  std::string name = std::string(selector) + "._domainkey." + std::string(domain);
  if (name.size() > kMaxDomainNameLength) return {};
  return name;
}

KeyFetch fetch_key_record(dns::Resolver& resolver, std::string_view selector,
                          std::string_view domain, std::size_t max_length) {
  const std::string name = key_query_name(selector, domain);
  if (name.empty()) return failure(DkimCode::permerror, "invalid key name in s= or d=");
  const dns::TxtAnswer answer = resolver.lookup_txt(name);
  KeyFetch fetch = key_from(answer, max_length);
  fetch.dnssec = answer.dnssec;
  return fetch;
}

}  // namespace authmilter::dkim
