#include "spf/libspf2_dns.h"

#include <strings.h>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace authmilter::spf {

namespace {

constexpr const char* kLayerName = "authmilter-resolver";
constexpr int kTtl = 0;  // our Resolver caches; libspf2 must not

SPF_dns_stat_t h_errno_of(dns::Outcome outcome) {
  switch (outcome) {
    case dns::Outcome::ok:
      return NETDB_SUCCESS;
    case dns::Outcome::nxdomain:
      return HOST_NOT_FOUND;
    case dns::Outcome::nodata:
      return NO_DATA;
    case dns::Outcome::servfail:
    case dns::Outcome::timeout:
      return TRY_AGAIN;
  }
  return TRY_AGAIN;
}

// address_of_reverse_name - the address a PTR query name ("4.3.2.1.in-addr.arpa") stands for.
std::optional<net::IpAddress> address_of_reverse_name(std::string_view name) {
  constexpr std::string_view kV4 = ".in-addr.arpa";
  constexpr std::string_view kV6 = ".ip6.arpa";
  auto ends_with = [&](std::string_view suffix) {
    return name.size() > suffix.size() && strncasecmp(name.data() + name.size() - suffix.size(),
                                                      suffix.data(), suffix.size()) == 0;
  };
  std::vector<std::string_view> labels;
  std::string_view body;
  if (ends_with(kV4))
    body = name.substr(0, name.size() - kV4.size());
  else if (ends_with(kV6))
    body = name.substr(0, name.size() - kV6.size());
  else
    return std::nullopt;
  for (std::size_t start = 0;;) {
    const std::size_t dot = body.find('.', start);
    labels.push_back(body.substr(start, dot == body.npos ? body.npos : dot - start));
    if (dot == body.npos || labels.size() > 32) break;
    start = dot + 1;
  }
  std::string text;
  if (ends_with(kV4)) {
    if (labels.size() != 4) return std::nullopt;
    for (std::size_t i = labels.size(); i-- > 0;) text += std::string(labels[i]) + (i ? "." : "");
    return net::IpAddress::parse(text);
  }
  if (labels.size() != 32) return std::nullopt;
  for (std::size_t i = 32; i-- > 0;) {
    if (labels[i].size() != 1) return std::nullopt;
    text += labels[i];
    if (i % 4 == 0 && i != 0) text += ':';
  }
  return net::IpAddress::parse(text);
}

bool add_string(SPF_dns_rr_t* rr, int index, const std::string& value) {
  const std::size_t length = std::min(value.size(), dns::kMaxTxtLength);
  if (SPF_dns_rr_buf_realloc(rr, index, length + 1) != SPF_E_SUCCESS) return false;
  std::memcpy(rr->rr[index]->txt, value.data(), length);  // txt/mx/ptr share the storage
  rr->rr[index]->txt[length] = '\0';
  return true;
}

bool add_address(SPF_dns_rr_t* rr, int index, const net::IpAddress& address) {
  const std::size_t size = address.is_v4() ? sizeof(in_addr) : sizeof(in6_addr);
  if (SPF_dns_rr_buf_realloc(rr, index, size) != SPF_E_SUCCESS) return false;
  std::memcpy(address.is_v4() ? static_cast<void*>(&rr->rr[index]->a)
                              : static_cast<void*>(&rr->rr[index]->aaaa),
              address.bytes().data(), size);
  return true;
}

// Larger than this layer hands on (the resolver's bounds may be configured above ours).
template <class Record>
bool over_our_bounds(const dns::Answer<Record>& answer) {
  if (answer.records.size() > dns::kMaxRecordsPerAnswer) return true;
  if constexpr (std::is_same_v<Record, std::string>) {
    for (const std::string& text : answer.records)
      if (text.size() > dns::kMaxTxtLength) return true;
  }
  return false;
}

template <class Record, class Add>
SPF_dns_rr_t* fill(SPF_dns_server_t* server, const char* domain, ns_type type,
                   const dns::Answer<Record>& answer, Add add) {
  // libspf2 cannot be told "permerror" by a DNS layer, and it would evaluate the part of a cut
  // answer it got (a cut "-mx"/"-a" answer could fall through to "+all"): an answer cut by a
  // size bound, the resolver's or ours, is a temporary error instead. PTR is the exception:
  // RFC 7208 §5.5 itself looks at the first 10 names only, so a long PTR answer is used in part.
  if ((answer.truncated || over_our_bounds(answer)) && type != ns_t_ptr)
    return SPF_dns_rr_new_init(server, domain, type, kTtl, TRY_AGAIN);
  SPF_dns_rr_t* rr = SPF_dns_rr_new_init(server, domain, type, kTtl, h_errno_of(answer.outcome));
  if (rr == nullptr || !answer.ok()) return rr;
  int count = 0;
  for (const Record& record : answer.records) {
    if (static_cast<std::size_t>(count) >= dns::kMaxRecordsPerAnswer) break;
    if (add(rr, count, record)) ++count;
  }
  rr->num_rr = count;
  if (count == 0) rr->herrno = NO_DATA;
  return rr;
}

}  // namespace

Libspf2DnsLayer::Libspf2DnsLayer(dns::Resolver& resolver) : resolver_(resolver) {
  server_.destroy = nullptr;  // owned by this object, never by libspf2
  server_.lookup = &Libspf2DnsLayer::lookup;
  server_.name = kLayerName;
  server_.hook = this;
}

SPF_dns_rr_t* Libspf2DnsLayer::lookup(SPF_dns_server_t* server, const char* domain, ns_type type,
                                      int /*should_cache*/) noexcept {
  try {
    return static_cast<Libspf2DnsLayer*>(server->hook)->answer(domain, type);
  } catch (...) {
    // libspf2 cannot take an exception; a failed lookup is a temporary DNS error.
    return SPF_dns_rr_new_init(server, domain, type, kTtl, TRY_AGAIN);
  }
}

SPF_dns_rr_t* Libspf2DnsLayer::answer(const char* domain, ns_type type) {
  const std::string name = domain != nullptr ? domain : "";
  switch (type) {
    case ns_t_txt:
      return fill(&server_, domain, type, resolver_.lookup_txt(name), add_string);
    case ns_t_a:
      return fill(&server_, domain, type, resolver_.lookup_addresses(name, net::IpFamily::v4),
                  add_address);
    case ns_t_aaaa:
      return fill(&server_, domain, type, resolver_.lookup_addresses(name, net::IpFamily::v6),
                  add_address);
    case ns_t_mx:
      return fill(&server_, domain, type, resolver_.lookup_mx(name),
                  [](SPF_dns_rr_t* rr, int i, const dns::MxRecord& mx) {
                    return add_string(rr, i, mx.exchange);
                  });
    case ns_t_ptr: {
      const std::optional<net::IpAddress> address = address_of_reverse_name(name);
      if (!address) return SPF_dns_rr_new_init(&server_, domain, type, kTtl, HOST_NOT_FOUND);
      return fill(&server_, domain, type, resolver_.lookup_ptr(*address), add_string);
    }
    default:
      return SPF_dns_rr_new_init(&server_, domain, type, kTtl, NO_DATA);
  }
}

}  // namespace authmilter::spf
