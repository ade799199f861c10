#include "dkim/dkim_base64.h"

#include <array>

namespace authmilter::dkim {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr int kNotBase64 = -1;

constexpr std::array<int, 256> make_decoder() {
  std::array<int, 256> table{};
  table.fill(kNotBase64);
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}

constexpr std::array<int, 256> kDecoder = make_decoder();

}  // namespace

std::optional<std::vector<unsigned char>> decode_base64_leniently(std::string_view text,
                                                                  std::size_t max_output) {
  std::vector<unsigned char> out;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    const int value = kDecoder[static_cast<unsigned char>(c)];
    if (value == kNotBase64) continue;
    bits = (bits << 6) | static_cast<unsigned>(value);
    if (++count == 4) {
      if (out.size() + 3 > max_output) return std::nullopt;
      out.push_back(static_cast<unsigned char>(bits >> 16));
      out.push_back(static_cast<unsigned char>(bits >> 8));
      out.push_back(static_cast<unsigned char>(bits));
      bits = 0;
      count = 0;
    }
  }
  // Two characters carry one byte, three carry two; one alone is less than a byte.
  if (count == 1) return std::nullopt;
  if (count >= 2) {
    bits <<= 6 * (4 - count);
    if (out.size() + static_cast<std::size_t>(count - 1) > max_output) return std::nullopt;
    out.push_back(static_cast<unsigned char>(bits >> 16));
    if (count == 3) out.push_back(static_cast<unsigned char>(bits >> 8));
  }
  return out;
}

std::string encode_base64(std::span<const unsigned char> data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < data.size(); i += 3) {
    const std::size_t left = data.size() - i;
    unsigned bits = static_cast<unsigned>(data[i]) << 16;
    if (left > 1) bits |= static_cast<unsigned>(data[i + 1]) << 8;
    if (left > 2) bits |= data[i + 2];
    out.push_back(kAlphabet[(bits >> 18) & 0x3f]);
    out.push_back(kAlphabet[(bits >> 12) & 0x3f]);
    out.push_back(left > 1 ? kAlphabet[(bits >> 6) & 0x3f] : '=');
    out.push_back(left > 2 ? kAlphabet[bits & 0x3f] : '=');
  }
  return out;
}

}  // namespace authmilter::dkim
