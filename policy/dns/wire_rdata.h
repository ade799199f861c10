// wire_rdata.h - decoding the RDATA of one resource record, as libunbound hands it over.
//
// libunbound gives each answer RR's RDATA in wire format (RFC 1035 §3.3), with domain names
// already uncompressed. The bytes still come from the network, so every length is checked
// against the end of the buffer, nothing is read past it, and left-over bytes are an error.
//
// Status: `malformed` means the RDATA breaks the wire format (a length runs past the end, a
// compression pointer, trailing bytes, a wrong address size): the answer as a whole cannot be
// trusted. `unrepresentable` means a well-formed name holds a byte we refuse to render as text
// (a '.' or '\' inside a label, a space, a control or non-ASCII byte): such a name could be
// mistaken for a different name, so the caller drops that record.
// Names come out lower-case without the trailing dot; the root name (a null MX, RFC 7505)
// comes out as "". TXT strings are joined (RFC 7208 §3.3) and cut at max_length.
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "dns/resolver.h"
#include "net/ip_address.h"

namespace authmilter::dns {

enum class RdataStatus { ok, malformed, unrepresentable };

template <class T>
struct Parsed {
  RdataStatus status = RdataStatus::malformed;
  T value{};

  bool ok() const { return status == RdataStatus::ok; }
};

struct TxtText {
  std::string text;        // the character-strings of one RR, joined
  bool truncated = false;  // cut at max_length
};

using Rdata = std::span<const std::uint8_t>;

Parsed<TxtText> parse_txt_rdata(Rdata rdata, std::size_t max_length);
Parsed<net::IpAddress> parse_address_rdata(Rdata rdata, net::IpFamily family);
Parsed<MxRecord> parse_mx_rdata(Rdata rdata);
Parsed<std::string> parse_name_rdata(Rdata rdata);  // PTR (and any RDATA that is one name)

}  // namespace authmilter::dns
