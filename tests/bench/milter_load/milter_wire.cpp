// milter_wire.cpp - milter packet encoding and reply decoding (see milter_wire.h).
#include "milter_wire.h"

namespace authmilter::bench {

void PacketWriter::begin(Command command) {
  start_ = out_.size();
  out_.append(4, '\0');
  out_.push_back(static_cast<char>(command));
}

void PacketWriter::u32(std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out_.push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

void PacketWriter::u16(std::uint16_t value) {
  out_.push_back(static_cast<char>((value >> 8) & 0xFF));
  out_.push_back(static_cast<char>(value & 0xFF));
}

void PacketWriter::cstring(std::string_view text) {
  out_.append(text);
  out_.push_back('\0');
}

void PacketWriter::end() {
  const auto length = static_cast<std::uint32_t>(out_.size() - start_ - 4);
  for (int i = 0; i < 4; ++i) {
    out_[start_ + static_cast<std::size_t>(i)] = static_cast<char>((length >> (24 - 8 * i)) & 0xFF);
  }
}

bool read_u32(std::string_view data, std::size_t offset, std::uint32_t& value) {
  if (data.size() < offset + 4) return false;
  value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    value = (value << 8) | static_cast<unsigned char>(data[offset + i]);
  }
  return true;
}

ParseStatus parse_reply(std::string_view buffer, Reply& reply, std::size_t& consumed) {
  std::uint32_t length = 0;
  if (!read_u32(buffer, 0, length)) return ParseStatus::kIncomplete;
  // Postfix milter8.c: a length under 1 is "bad", over the cap "unreasonable".
  if (length < 1 || length > kMaxReplyLength) return ParseStatus::kBad;
  if (buffer.size() < 4 + static_cast<std::size_t>(length)) return ParseStatus::kIncomplete;
  reply.command = buffer[4];
  reply.data = buffer.substr(5, length - 1);
  consumed = 4 + static_cast<std::size_t>(length);
  return ParseStatus::kPacket;
}

}  // namespace authmilter::bench
