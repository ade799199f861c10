// milter_session.h - the MTA side of one milter connection, without sockets: what to send next
// and what a reply means, in the order Postfix (milter8.c) uses.
//
// Call order: negotiate(out) once; on_reply() until it says kNegotiated; then per message
// begin_message(out, ...), feeding every reply packet to on_reply(out, ...) until it returns
// kMessageDone; then begin_message() again (ABORT is sent before the next MAIL, as Postfix
// does between transactions) or quit(out). After kError the connection must be closed.
// Ownership: packets are appended to the caller's buffer `out`, which the caller sends; the
// Message must outlive the transaction. No allocation once buffers are warm.
// Return convention: on_reply() returns an Event; protocol violations by the milter (a reply
// at a stage that takes none, a modification before end of message, a bad packet) are kError
// with a static reason string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "milter_wire.h"
#include "workload.h"

namespace authmilter::bench {

enum class Verdict { kAccept, kContinue, kReject, kTempfail, kDiscard, kReplyCode, kCount };

enum class Event { kWaiting, kNegotiated, kMessageDone, kError };

// Counts of what the milter asked for at end of message.
struct Modifications {
  std::uint64_t add_header = 0;
  std::uint64_t insert_header = 0;
  std::uint64_t change_header = 0;
  std::uint64_t other = 0;  // body, recipients, sender, quarantine
};

class MilterSession {
 public:
  // expect: text one added/changed header value must contain (empty: no check).
  explicit MilterSession(std::string_view expect) : expect_(expect) {}

  void negotiate(std::string& out);
  // queue_id: the {i} macro value, unique per message as Postfix's queue id.
  void begin_message(std::string& out, const Message& message, std::string_view queue_id);
  Event on_reply(std::string& out, const Reply& reply);
  void quit(std::string& out);

  Verdict verdict() const { return verdict_; }
  bool matched_expectation() const { return expect_.empty() || matched_; }
  bool must_close() const { return must_close_; }  // rejected at connect/HELO: session over
  const char* error() const { return error_; }
  const Modifications& modifications() const { return modifications_; }
  std::uint32_t protocol() const { return protocol_; }

 private:
  enum class Stage { kConnect, kHelo, kMail, kRcpt, kData, kHeader, kEoh, kBody, kEob, kDone };

  Event advance(std::string& out);
  bool emit(std::string& out);  // sends the current stage; true if a reply is awaited
  void emit_macros(PacketWriter& writer, Command stage);
  void emit_command(PacketWriter& writer);
  Event on_final(const Reply& reply);
  Event on_modification(const Reply& reply);
  Event on_negotiation(const Reply& reply);
  Event fail(const char* reason);
  bool skipped(Stage stage) const;
  bool reply_expected(Stage stage) const;

  std::string_view expect_;
  std::uint32_t protocol_ = 0;
  bool negotiated_ = false;
  bool connected_ = false;  // CONNECT and HELO already sent on this connection
  bool in_message_ = false;
  bool had_message_ = false;
  bool must_close_ = false;
  bool matched_ = false;
  Stage stage_ = Stage::kDone;
  Stage answered_ = Stage::kDone;  // the stage whose reply is awaited
  std::size_t index_ = 0;          // recipient, header or body chunk within the stage
  std::size_t accepted_recipients_ = 0;
  const Message* message_ = nullptr;
  std::string_view queue_id_;
  Verdict verdict_ = Verdict::kContinue;
  Modifications modifications_;
  const char* error_ = "";
};

const char* verdict_name(Verdict verdict);

}  // namespace authmilter::bench
