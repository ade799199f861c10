#include "dns/wire_rdata.h"

#include "dns/query_name.h"

namespace authmilter::dns {

namespace {

constexpr std::size_t kAddressV4Length = 4;     // RFC 1035 §3.4.1
constexpr std::size_t kAddressV6Length = 16;    // RFC 3596 §2.2
constexpr std::size_t kMxPreferenceLength = 2;  // RFC 1035 §3.3.9
constexpr std::uint8_t kLabelTypeMask = 0xC0;   // RFC 1035 §4.1.4: 11 = pointer, 01/10 reserved

// A label byte we can render without ambiguity: printable ASCII other than the separator and
// the escape character.
bool is_representable(std::uint8_t c) {
  return c > 0x20 && c < 0x7F && c != '.' && c != '\\';
}

char lower(std::uint8_t c) {
  return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

// Decodes the name that starts at rdata[0]; `used` receives its wire length.
Parsed<std::string> decode_name(Rdata rdata, std::size_t& used) {
  Parsed<std::string> name;
  bool representable = true;
  std::size_t at = 0;
  while (true) {
    if (at >= rdata.size()) return name;  // ran off the end before the root label
    const std::uint8_t length = rdata[at];
    if ((length & kLabelTypeMask) != 0) return name;  // pointer or reserved label type
    if (length == 0) break;
    // The label plus the root label that must still follow has to fit in 255 octets.
    if (at + 1 + length + 1 > kMaxWireNameLength) return name;
    if (at + 1 + length > rdata.size()) return name;
    if (!name.value.empty()) name.value.push_back('.');
    for (std::size_t i = at + 1; i <= at + length; ++i) {
      representable = representable && is_representable(rdata[i]);
      name.value.push_back(lower(rdata[i]));
    }
    at += 1 + length;
  }
  used = at + 1;
  name.status = representable ? RdataStatus::ok : RdataStatus::unrepresentable;
  if (!representable) name.value.clear();
  return name;
}

}  // namespace

Parsed<TxtText> parse_txt_rdata(Rdata rdata, std::size_t max_length) {
  Parsed<TxtText> txt;
  std::size_t at = 0;
  // RFC 1035 §3.3.14: one or more <character-string>s, each a length octet and that many bytes.
  // An empty RDATA is tolerated as an empty text: it can match nothing, so it is harmless.
  while (at < rdata.size()) {
    const std::size_t length = rdata[at];
    if (at + 1 + length > rdata.size()) return txt;
    const std::size_t room = max_length - txt.value.text.size();
    const std::size_t take = length < room ? length : room;
    txt.value.text.append(reinterpret_cast<const char*>(rdata.data() + at + 1), take);
    txt.value.truncated = txt.value.truncated || take < length;
    at += 1 + length;
  }
  txt.status = RdataStatus::ok;
  return txt;
}

Parsed<net::IpAddress> parse_address_rdata(Rdata rdata, net::IpFamily family) {
  Parsed<net::IpAddress> address;
  if (family == net::IpFamily::v4 && rdata.size() == kAddressV4Length) {
    address.value = net::IpAddress::from_v4_bytes(rdata.data());
    address.status = RdataStatus::ok;
  } else if (family == net::IpFamily::v6 && rdata.size() == kAddressV6Length) {
    address.value = net::IpAddress::from_v6_bytes(rdata.data());
    address.status = RdataStatus::ok;
  }
  return address;
}

Parsed<MxRecord> parse_mx_rdata(Rdata rdata) {
  Parsed<MxRecord> mx;
  if (rdata.size() < kMxPreferenceLength + 1) return mx;
  std::size_t used = 0;
  Parsed<std::string> exchange = decode_name(rdata.subspan(kMxPreferenceLength), used);
  if (exchange.status == RdataStatus::malformed) return mx;
  if (kMxPreferenceLength + used != rdata.size()) return mx;  // trailing bytes
  mx.status = exchange.status;
  mx.value.preference = static_cast<std::uint16_t>((rdata[0] << 8) | rdata[1]);
  mx.value.exchange = std::move(exchange.value);
  return mx;
}

Parsed<std::string> parse_name_rdata(Rdata rdata) {
  std::size_t used = 0;
  Parsed<std::string> name = decode_name(rdata, used);
  if (name.status != RdataStatus::malformed && used != rdata.size()) {
    return Parsed<std::string>{};  // trailing bytes after the name
  }
  return name;
}

}  // namespace authmilter::dns
