// ip_address.h - IPv4/IPv6 addresses and CIDR prefixes, parsed from text.
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are unmapped on parse, as RFC 7208 §5 asks
// for SPF and as Postfix reports IPv4 clients on dual-stack sockets.
// parse() returns nullopt on malformed text; nothing here throws.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authmilter::net {

enum class IpFamily { v4, v6 };

class IpAddress {
 public:
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress from_v4_bytes(const std::uint8_t* bytes);
  static IpAddress from_v6_bytes(const std::uint8_t* bytes);

  IpFamily family() const { return family_; }
  bool is_v4() const { return family_ == IpFamily::v4; }
  // Bytes in network order; 4 are used for IPv4, 16 for IPv6.
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  int bit_length() const { return is_v4() ? 32 : 128; }

  // True when the first prefix_bits bits equal those of other (same family required).
  bool matches_prefix(const IpAddress& other, int prefix_bits) const;
  // Canonical text: dotted quad, or RFC 5952 compressed IPv6.
  std::string to_string() const;
  // Reverse-lookup name without the trailing dot: "4.3.2.1.in-addr.arpa".
  std::string reverse_name() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  IpFamily family_ = IpFamily::v4;
  std::array<std::uint8_t, 16> bytes_{};
};

// CidrBlock - an address with a prefix length, e.g. 192.0.2.0/24 or 2001:db8::/32.
struct CidrBlock {
  IpAddress network;
  int prefix_bits = 0;

  // Accepts "addr" (a host route) or "addr/bits"; nullopt when malformed or bits too large.
  static std::optional<CidrBlock> parse(std::string_view text);
  bool contains(const IpAddress& address) const;
  std::string to_string() const;
};

}  // namespace authmilter::net
