#include "dns/zone_resolver.h"

#include <algorithm>
#include <cctype>

#include "common/ascii.h"

namespace authmilter::dns {

namespace {

std::string normalize(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return lower_ascii(name);
}

}  // namespace

void ZoneResolver::add_txt(std::string_view name, std::string joined_text) {
  nodes_[normalize(name)].txt.push_back(std::move(joined_text));
}

void ZoneResolver::add_address(std::string_view name, const net::IpAddress& address) {
  nodes_[normalize(name)].addresses.push_back(address);
}

void ZoneResolver::add_mx(std::string_view name, std::uint16_t preference,
                          std::string_view exchange) {
  nodes_[normalize(name)].mx.push_back(MxRecord{preference, normalize(exchange)});
}

void ZoneResolver::add_ptr(std::string_view reverse_name, std::string_view target) {
  nodes_[normalize(reverse_name)].ptr.push_back(normalize(target));
}

void ZoneResolver::add_name(std::string_view name) {
  nodes_[normalize(name)];
}

void ZoneResolver::add_cname(std::string_view name, std::string_view target) {
  nodes_[normalize(name)].cname = normalize(target);
}

void ZoneResolver::add_failure(std::string_view name, RecordType type, Outcome outcome) {
  nodes_[normalize(name)].failures[type] = outcome;
}

void ZoneResolver::add_truncation(std::string_view name, RecordType type) {
  nodes_[normalize(name)].truncated.push_back(type);
}

void ZoneResolver::set_dnssec(std::string_view name, DnssecStatus status) {
  dnssec_[normalize(name)] = status;
}

void ZoneResolver::set_default_dnssec(DnssecStatus status) {
  default_dnssec_ = status;
}

template <class Record>
Answer<Record> ZoneResolver::answer(std::string_view name, RecordType type,
                                    std::vector<Record> (*select)(const Node&)) {
  std::lock_guard lock(mutex_);
  ++lookups_;
  Answer<Record> result;
  std::string key = normalize(name);
  const auto status = dnssec_.find(key);
  result.dnssec = status != dnssec_.end() ? status->second : default_dnssec_;
  if (result.dnssec == DnssecStatus::bogus) {  // as UnboundResolver: no records, servfail
    result.outcome = Outcome::servfail;
    return result;
  }
  for (int hops = 0;; ++hops) {
    const auto node = nodes_.find(key);
    if (node == nodes_.end()) {
      result.outcome = Outcome::nxdomain;
      return result;
    }
    if (auto failure = node->second.failures.find(type); failure != node->second.failures.end()) {
      result.outcome = failure->second;
      result.dnssec = DnssecStatus::unvalidated;  // no answer came back to validate
      return result;
    }
    if (!node->second.cname || type == RecordType::cname) break;
    if (hops >= kMaxCnameChain) {  // loop or over-long chain: a resolver gives up with SERVFAIL
      result.outcome = Outcome::servfail;
      result.dnssec = DnssecStatus::unvalidated;
      return result;
    }
    key = *node->second.cname;
  }
  const auto node = nodes_.find(key);
  result.records = select(node->second);
  result.outcome = result.records.empty() ? Outcome::nodata : Outcome::ok;
  const auto& cut = node->second.truncated;
  result.truncated = std::find(cut.begin(), cut.end(), type) != cut.end();
  return result;
}

TxtAnswer ZoneResolver::lookup_txt(std::string_view name) {
  return answer<std::string>(name, RecordType::txt, [](const Node& n) { return n.txt; });
}

AddressAnswer ZoneResolver::lookup_addresses(std::string_view name, net::IpFamily family) {
  if (family == net::IpFamily::v4) {
    return answer<net::IpAddress>(name, RecordType::a, [](const Node& n) {
      std::vector<net::IpAddress> v4;
      for (const auto& a : n.addresses)
        if (a.is_v4()) v4.push_back(a);
      return v4;
    });
  }
  return answer<net::IpAddress>(name, RecordType::aaaa, [](const Node& n) {
    std::vector<net::IpAddress> v6;
    for (const auto& a : n.addresses)
      if (!a.is_v4()) v6.push_back(a);
    return v6;
  });
}

MxAnswer ZoneResolver::lookup_mx(std::string_view name) {
  return answer<MxRecord>(name, RecordType::mx, [](const Node& n) { return n.mx; });
}

NameAnswer ZoneResolver::lookup_ptr(const net::IpAddress& address) {
  return answer<std::string>(address.reverse_name(), RecordType::ptr,
                             [](const Node& n) { return n.ptr; });
}

int ZoneResolver::lookup_count() const {
  std::lock_guard lock(mutex_);
  return lookups_;
}

}  // namespace authmilter::dns
