#include "net/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace authmilter::net {

namespace {
constexpr std::size_t kMaxAddressText = 64;  // longer than any valid IPv6 literal with scope
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() >= kMaxAddressText) return std::nullopt;
  char buffer[kMaxAddressText];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  std::uint8_t raw[16];
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buffer, raw) != 1) return std::nullopt;
    return from_v4_bytes(raw);
  }
  if (inet_pton(AF_INET6, buffer, raw) != 1) return std::nullopt;
  return from_v6_bytes(raw);
}

IpAddress IpAddress::from_v4_bytes(const std::uint8_t* bytes) {
  IpAddress address;
  address.family_ = IpFamily::v4;
  std::memcpy(address.bytes_.data(), bytes, 4);
  return address;
}

IpAddress IpAddress::from_v6_bytes(const std::uint8_t* bytes) {
  static constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes, kMappedPrefix, sizeof kMappedPrefix) == 0)
    return from_v4_bytes(bytes + 12);
  IpAddress address;
  address.family_ = IpFamily::v6;
  std::memcpy(address.bytes_.data(), bytes, 16);
  return address;
}

bool IpAddress::matches_prefix(const IpAddress& other, int prefix_bits) const {
  if (family_ != other.family_ || prefix_bits < 0 || prefix_bits > bit_length()) return false;
  const int whole_bytes = prefix_bits / 8;
  if (std::memcmp(bytes_.data(), other.bytes_.data(), whole_bytes) != 0) return false;
  const int rest = prefix_bits % 8;
  if (rest == 0) return true;
  const std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (bytes_[whole_bytes] & mask) == (other.bytes_[whole_bytes] & mask);
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN];
  const int af = is_v4() ? AF_INET : AF_INET6;
  if (inet_ntop(af, bytes_.data(), buffer, sizeof buffer) == nullptr) return {};
  return buffer;
}

std::string IpAddress::reverse_name() const {
  std::string name;
  if (is_v4()) {
    for (int i = 3; i >= 0; --i) name += std::to_string(bytes_[i]) + ".";
    return name + "in-addr.arpa";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    name += kHex[bytes_[i] & 0xf];
    name += '.';
    name += kHex[bytes_[i] >> 4];
    name += '.';
  }
  return name + "ip6.arpa";
}

std::optional<CidrBlock> CidrBlock::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  CidrBlock block{*address, address->bit_length()};
  if (slash == std::string_view::npos) return block;
  const std::string_view bits = text.substr(slash + 1);
  if (bits.empty() || bits.size() > 3) return std::nullopt;
  for (char c : bits)
    if (c < '0' || c > '9') return std::nullopt;  // from_chars alone would accept "-1"
  auto [end, error] = std::from_chars(bits.data(), bits.data() + bits.size(), block.prefix_bits);
  if (error != std::errc() || end != bits.data() + bits.size()) return std::nullopt;
  // "::ffff:127.0.0.0/104" (Postfix's mynetworks spelling) counts its prefix in IPv6 bits; the
  // address is held unmapped, so the prefix is too. Shorter than /96 it is no IPv4 network.
  const bool written_as_v6 = text.substr(0, slash).find(':') != std::string_view::npos;
  if (written_as_v6 && address->is_v4()) {
    if (block.prefix_bits < 96 || block.prefix_bits > 128) return std::nullopt;
    block.prefix_bits -= 96;
  }
  if (block.prefix_bits > address->bit_length()) return std::nullopt;
  return block;
}

bool CidrBlock::contains(const IpAddress& address) const {
  return network.matches_prefix(address, prefix_bits);
}

std::string CidrBlock::to_string() const {
  return network.to_string() + "/" + std::to_string(prefix_bits);
}

}  // namespace authmilter::net
