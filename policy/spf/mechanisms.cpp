// mechanisms.cpp - the DNS-querying mechanisms of check_host() (RFC 7208 §5.2-§5.7) and the
// validated domain name used by "ptr" and %{p} (RFC 7208 §5.5).
#include <algorithm>
#include <array>

#include "common/domain_name.h"
#include "spf/check_host.h"
#include "spf/domain_name.h"

namespace authmilter::spf {

CheckHost::TermResult CheckHost::match_include(const Mechanism& m, const std::string& domain,
                                               int depth) {
  if (auto limit = count_dns_term()) return *limit;
  const std::optional<std::string> target = expand_target(m.domain_spec, domain);
  if (!target) return {Match::permerror, "include target is not a domain name"};
  const HostOutcome inner = check_host(*target, depth + 1);
  switch (inner.code) {  // RFC 7208 §5.2 table
    case SpfCode::pass:
      return {Match::yes, {}};
    case SpfCode::fail:
    case SpfCode::softfail:
    case SpfCode::neutral:
      return {Match::no, {}};
    case SpfCode::temperror:
      return {Match::temperror, inner.reason};
    case SpfCode::none:
      return {Match::permerror, "include:" + *target + ": no SPF record"};
    case SpfCode::permerror:
      return {Match::permerror, inner.reason};
  }
  return {Match::permerror, "internal: unexpected include result"};
}

bool CheckHost::matches_cidr(const net::IpAddress& address, const Mechanism& m) const {
  if (m.kind == MechanismKind::ip4 || m.kind == MechanismKind::ip6) {
    // Compare raw bytes so that an ip6 network written as ::ffff:a.b.c.d stays IPv6: an
    // IPv4(-mapped) client is matched by ip4 only (RFC 7208 §5).
    const bool v4 = m.kind == MechanismKind::ip4;
    if (address.is_v4() != v4) return false;
    // Only the prefix counts: "ip6:::ffff:1.2.3.4/64" is the network ::/64, a v6 one.
    std::array<std::uint8_t, 16> bits = m.network;
    if (!v4) {
      for (int i = 0; i < 16; ++i) {
        const int kept = std::clamp(m.cidr6 - 8 * i, 0, 8);
        bits[i] &= static_cast<std::uint8_t>(0xff00 >> kept);
      }
    }
    const net::IpAddress network = v4 ? net::IpAddress::from_v4_bytes(bits.data())
                                      : net::IpAddress::from_v6_bytes(bits.data());
    if (network.is_v4() != v4) return false;  // ::ffff:0:0/96 and longer: never a v6 client
    return network.matches_prefix(address, v4 ? m.cidr4 : m.cidr6);
  }
  return address.matches_prefix(inputs_.client, address.is_v4() ? m.cidr4 : m.cidr6);
}

CheckHost::TermResult CheckHost::match_a(const Mechanism& m, const std::string& target) {
  const dns::AddressAnswer answer = resolver_.lookup_addresses(target, inputs_.client.family());
  if (answer.temporary_failure())
    return {Match::temperror, std::string("DNS ") + dns::to_string(answer.outcome) + " for " +
                                  target + " (" + m.text + ")"};
  if (auto limit = count_void(answer.outcome)) return *limit;
  for (const net::IpAddress& address : answer.records)
    if (matches_cidr(address, m)) return {Match::yes, {}};
  if (answer.truncated) return cut_address_answer(target);
  return {Match::no, {}};
}

// An address answer cut at the resolver's record bound that did not match: the client may be
// among the dropped records, so "no match" would be a guess (and could fall through to +all).
CheckHost::TermResult CheckHost::cut_address_answer(const std::string& name) {
  return {Match::permerror, "address answer for " + name + " exceeds the DNS answer bound"};
}

CheckHost::TermResult CheckHost::match_mx(const Mechanism& m, const std::string& target) {
  const dns::MxAnswer answer = resolver_.lookup_mx(target);
  if (answer.temporary_failure())
    return {Match::temperror,
            std::string("DNS ") + dns::to_string(answer.outcome) + " for MX " + target};
  if (auto limit = count_void(answer.outcome)) return *limit;
  if (answer.records.size() > static_cast<std::size_t>(options_.max_mx_names))  // §4.6.4
    return {Match::permerror,
            "more than " + std::to_string(options_.max_mx_names) + " MX names for " + target};
  // Cut at a size bound, or with exchange names we could not represent: the rest is unknown.
  if (answer.truncated)
    return {Match::permerror, "MX answer for " + target + " exceeds the DNS answer bound"};
  for (const dns::MxRecord& mx : answer.records) {
    if (!is_queryable_name(mx.exchange)) continue;  // null MX (RFC 7505) or junk
    const dns::AddressAnswer addresses =
        resolver_.lookup_addresses(mx.exchange, inputs_.client.family());
    if (addresses.temporary_failure())
      return {Match::temperror,
              std::string("DNS ") + dns::to_string(addresses.outcome) + " for " + mx.exchange};
    for (const net::IpAddress& address : addresses.records)
      if (matches_cidr(address, m)) return {Match::yes, {}};
    if (addresses.truncated) return cut_address_answer(mx.exchange);
  }
  return {Match::no, {}};
}

CheckHost::TermResult CheckHost::match_exists(const std::string& target) {
  // Always an A query, whatever the client's family (RFC 7208 §5.7).
  const dns::AddressAnswer answer = resolver_.lookup_addresses(target, net::IpFamily::v4);
  if (answer.temporary_failure())
    return {Match::temperror,
            std::string("DNS ") + dns::to_string(answer.outcome) + " for exists " + target};
  if (auto limit = count_void(answer.outcome)) return *limit;
  return {answer.ok() ? Match::yes : Match::no, {}};
}

CheckHost::TermResult CheckHost::match_ptr(const std::string& target) {
  const dns::NameAnswer answer = resolver_.lookup_ptr(inputs_.client);
  // A failed PTR lookup makes "ptr" not match (RFC 7208 §5.5), it is no temperror.
  if (auto limit = count_void(answer.outcome)) return *limit;
  for (const std::string& name : validated_names(answer))
    if (is_same_or_subdomain(name, target)) return {Match::yes, {}};
  return {Match::no, {}};
}

std::vector<std::string> CheckHost::validated_names(const dns::NameAnswer& answer) {
  std::vector<std::string> validated;
  if (!answer.ok()) return validated;
  const std::size_t limit =
      std::min(answer.records.size(), static_cast<std::size_t>(options_.max_ptr_names));
  for (std::size_t i = 0; i < limit; ++i) {
    const std::string& name = answer.records[i];
    if (!is_queryable_name(name)) continue;
    const dns::AddressAnswer addresses = resolver_.lookup_addresses(name, inputs_.client.family());
    // A failed lookup skips this name and the search goes on (RFC 7208 §5.5).
    if (std::find(addresses.records.begin(), addresses.records.end(), inputs_.client) !=
        addresses.records.end())
      validated.push_back(name);
  }
  return validated;
}

std::string CheckHost::validated_name_for_macro() {
  // RFC 7208 §7.3: prefer <domain> itself, then a subdomain of it, then any validated name.
  if (!names_for_macro_) names_for_macro_ = validated_names(resolver_.lookup_ptr(inputs_.client));
  const std::vector<std::string>& names = *names_for_macro_;
  const std::string& domain = inputs_.domain;
  for (const std::string& name : names)
    if (lower_ascii(name) == lower_ascii(domain)) return name;
  for (const std::string& name : names)
    if (is_same_or_subdomain(name, domain)) return name;
  return names.empty() ? "unknown" : names.front();
}

}  // namespace authmilter::spf
