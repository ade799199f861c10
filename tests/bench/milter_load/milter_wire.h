// milter_wire.h - the milter protocol (version 6) as the MTA side speaks it: packet encoding and
// reply decoding for the load driver.
//
// Purpose: append MTA->milter packets (OPTNEG, macros, CONNECT ... BODYEOB, ABORT, QUIT) to a
// caller-owned byte buffer, and split the milter's byte stream into replies. Encoding appends
// to a std::string the caller reuses (clear() keeps its capacity), so a warmed-up connection
// encodes without allocating.
// Call order (as Postfix milter8.c): OPTNEG; then per connection CONNECT, HELO; per message
// MAIL, RCPT..., DATA, HEADER..., EOH, BODY..., BODYEOB; ABORT between messages; QUIT at the
// end. Each command may be preceded by a MACRO packet for its stage.
// Return convention: parse_reply() returns kIncomplete until a whole packet is buffered,
// kBad for a peer protocol violation (length < 1 or > kMaxReplyLength), else kPacket.
// Wire format: 4-byte network-order length (command byte included), command byte, data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace authmilter::bench {

inline constexpr std::uint32_t kMilterVersion = 6;
// Largest BODY chunk libmilter accepts (MILTER_CHUNK_SIZE); Postfix sends at most this much.
inline constexpr std::size_t kBodyChunk = 65535;
// Largest reply we buffer: libmilter's MILTER_MAX_DATA_SIZE default is 64 KB; a header
// modification is far below it. Longer replies are a peer fault, not something to allocate for.
inline constexpr std::size_t kMaxReplyLength = 1024 * 1024;

// What Postfix 3.x offers in OPTNEG (milter8.c): every action, every "no"/"no reply" step.
inline constexpr std::uint32_t kOfferedActions = 0x1FF;      // SMFIF_ADDHDRS .. SMFIF_SETSYMLIST
inline constexpr std::uint32_t kOfferedProtocol = 0x1FFFFF;  // SMFIP_NOCONNECT .. HDR_LEADSPC

// Protocol flags (libmilter mfdef.h names) the driver acts on.
enum ProtocolFlag : std::uint32_t {
  kNoConnect = 0x1,
  kNoHelo = 0x2,
  kNoMail = 0x4,
  kNoRcpt = 0x8,
  kNoBody = 0x10,
  kNoHeaders = 0x20,
  kNoEoh = 0x40,
  kNoReplyHeader = 0x80,
  kNoData = 0x200,
  kNoReplyConnect = 0x1000,
  kNoReplyHelo = 0x2000,
  kNoReplyMail = 0x4000,
  kNoReplyRcpt = 0x8000,
  kNoReplyData = 0x10000,
  kNoReplyEoh = 0x40000,
  kNoReplyBody = 0x80000,
  kHeaderLeadingSpace = 0x100000,
};

// Command bytes (SMFIC_*).
enum class Command : char {
  kOptneg = 'O',
  kMacro = 'D',
  kConnect = 'C',
  kHelo = 'H',
  kMail = 'M',
  kRcpt = 'R',
  kData = 'T',
  kHeader = 'L',
  kEoh = 'N',
  kBody = 'B',
  kBodyEob = 'E',
  kAbort = 'A',
  kQuit = 'Q',
};

// PacketWriter - appends packets to out. begin() reserves the length field, end() fills it.
class PacketWriter {
 public:
  explicit PacketWriter(std::string& out) : out_(out) {}
  void begin(Command command);
  void u32(std::uint32_t value);
  void u16(std::uint16_t value);
  void byte(char value) { out_.push_back(value); }
  void cstring(std::string_view text);  // text + NUL
  void raw(std::string_view bytes) { out_.append(bytes); }
  void end();

 private:
  std::string& out_;
  std::size_t start_ = 0;
};

// One whole reply packet, viewing the caller's receive buffer.
struct Reply {
  char command = 0;
  std::string_view data;
};

enum class ParseStatus { kPacket, kIncomplete, kBad };

// parse_reply - decodes the packet at the start of buffer; consumed = its total size.
ParseStatus parse_reply(std::string_view buffer, Reply& reply, std::size_t& consumed);

// read_u32 - network-order integer at data[offset]; false if data is too short.
bool read_u32(std::string_view data, std::size_t offset, std::uint32_t& value);

}  // namespace authmilter::bench
