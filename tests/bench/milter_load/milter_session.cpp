// milter_session.cpp - MTA-side milter state machine (see milter_session.h).
#include "milter_session.h"

#include <algorithm>

namespace authmilter::bench {
namespace {

// Macro values as a loopback Postfix without peer name lookup sends them.
constexpr std::string_view kHostName = "mx.bench.test";
constexpr std::string_view kMtaVersion = "Postfix 3.7";

void macro(PacketWriter& writer, std::string_view name, std::string_view value) {
  writer.cstring(name);
  writer.cstring(value);
}

std::string_view skip_space(std::string_view value) {
  const std::size_t first = value.find_first_not_of(" \t");
  return first == std::string_view::npos ? std::string_view{} : value.substr(first);
}

// header_value - name\0value\0 after an optional index, as in SMFIR_ADDHEADER/INSHEADER/CHGHEADER.
bool header_value(std::string_view data, std::size_t offset, std::string_view& value) {
  if (data.size() < offset) return false;
  data.remove_prefix(offset);
  const std::size_t name_end = data.find('\0');
  if (name_end == std::string_view::npos) return false;
  const std::size_t value_end = data.find('\0', name_end + 1);
  if (value_end == std::string_view::npos) return false;
  value = data.substr(name_end + 1, value_end - name_end - 1);
  return true;
}

}  // namespace

const char* verdict_name(Verdict verdict) {
  static constexpr const char* kNames[] = {"accept",   "continue", "reject",
                                           "tempfail", "discard",  "replycode"};
  return kNames[static_cast<int>(verdict)];
}

void MilterSession::negotiate(std::string& out) {
  PacketWriter writer(out);
  writer.begin(Command::kOptneg);
  writer.u32(kMilterVersion);
  writer.u32(kOfferedActions);
  writer.u32(kOfferedProtocol);
  writer.end();
}

void MilterSession::begin_message(std::string& out, const Message& message,
                                  std::string_view queue_id) {
  if (had_message_) {
    // Postfix ends the previous transaction with ABORT before the next MAIL FROM.
    PacketWriter writer(out);
    writer.begin(Command::kAbort);
    writer.end();
  }
  message_ = &message;
  queue_id_ = queue_id;
  in_message_ = true;
  had_message_ = true;
  matched_ = false;
  accepted_recipients_ = 0;
  verdict_ = Verdict::kContinue;
  stage_ = connected_ ? Stage::kMail : Stage::kConnect;
  index_ = 0;
  connected_ = true;
  advance(out);
}

void MilterSession::quit(std::string& out) {
  PacketWriter writer(out);
  writer.begin(Command::kQuit);
  writer.end();
}

bool MilterSession::skipped(Stage stage) const {
  switch (stage) {
    case Stage::kConnect:
      return protocol_ & kNoConnect;
    case Stage::kHelo:
      return protocol_ & kNoHelo;
    case Stage::kMail:
      return protocol_ & kNoMail;
    case Stage::kRcpt:
      return protocol_ & kNoRcpt;
    case Stage::kData:
      return protocol_ & kNoData;
    case Stage::kHeader:
      return (protocol_ & kNoHeaders) || message_->headers.empty();
    case Stage::kEoh:
      return protocol_ & kNoEoh;
    case Stage::kBody:
      return (protocol_ & kNoBody) || message_->body.empty();
    default:
      return false;
  }
}

bool MilterSession::reply_expected(Stage stage) const {
  switch (stage) {
    case Stage::kConnect:
      return !(protocol_ & kNoReplyConnect);
    case Stage::kHelo:
      return !(protocol_ & kNoReplyHelo);
    case Stage::kMail:
      return !(protocol_ & kNoReplyMail);
    case Stage::kRcpt:
      return !(protocol_ & kNoReplyRcpt);
    case Stage::kData:
      return !(protocol_ & kNoReplyData);
    case Stage::kHeader:
      return !(protocol_ & kNoReplyHeader);
    case Stage::kEoh:
      return !(protocol_ & kNoReplyEoh);
    case Stage::kBody:
      return !(protocol_ & kNoReplyBody);
    default:
      return true;
  }
}

// advance - sends stages until one awaits a reply (the end of message always does).
Event MilterSession::advance(std::string& out) {
  while (stage_ != Stage::kDone) {
    const bool awaits = !skipped(stage_) && emit(out);
    if (awaits) answered_ = stage_;
    // Move to the next stage, or the next item within a repeated stage.
    const std::size_t items = stage_ == Stage::kRcpt     ? message_->recipients.size()
                              : stage_ == Stage::kHeader ? message_->headers.size()
                              : stage_ == Stage::kBody
                                  ? (message_->body.size() + kBodyChunk - 1) / kBodyChunk
                                  : 1;
    if (skipped(stage_) || ++index_ >= items) {
      index_ = 0;
      stage_ = static_cast<Stage>(static_cast<int>(stage_) + 1);
    }
    if (awaits) return Event::kWaiting;
  }
  return Event::kWaiting;
}

bool MilterSession::emit(std::string& out) {
  PacketWriter writer(out);
  static constexpr Command kStageCommand[] = {Command::kConnect, Command::kHelo, Command::kMail,
                                              Command::kRcpt,    Command::kData, Command::kHeader,
                                              Command::kEoh,     Command::kBody, Command::kBodyEob};
  const Command command = kStageCommand[static_cast<int>(stage_)];
  if (index_ == 0 && command != Command::kHeader && command != Command::kBody) {
    emit_macros(writer, command);
  } else if (command == Command::kRcpt) {
    emit_macros(writer, command);  // {rcpt_addr} differs per recipient
  }
  emit_command(writer);
  return reply_expected(stage_);
}

void MilterSession::emit_macros(PacketWriter& writer, Command stage) {
  const Message& m = *message_;
  writer.begin(Command::kMacro);
  writer.byte(static_cast<char>(stage));
  switch (stage) {
    case Command::kConnect:
      macro(writer, "j", kHostName);
      macro(writer, "{daemon_name}", kHostName);
      macro(writer, "{daemon_addr}", "127.0.0.1");
      macro(writer, "{client_addr}", m.client_ip);
      macro(writer, "{client_name}", "unknown");
      macro(writer, "v", kMtaVersion);
      break;
    case Command::kHelo:
      macro(writer, "{client_addr}", m.client_ip);
      macro(writer, "{client_name}", "unknown");
      break;
    case Command::kMail:
      macro(writer, "i", queue_id_);
      macro(writer, "{mail_addr}", m.mail_from);
      break;
    case Command::kRcpt:
      macro(writer, "i", queue_id_);
      macro(writer, "{rcpt_addr}", m.recipients[index_]);
      break;
    case Command::kBodyEob:
      macro(writer, "i", queue_id_);
      macro(writer, "j", kHostName);
      macro(writer, "{daemon_name}", kHostName);
      break;
    default:
      macro(writer, "i", queue_id_);
      break;
  }
  writer.end();
}

void MilterSession::emit_command(PacketWriter& writer) {
  const Message& m = *message_;
  switch (stage_) {
    case Stage::kConnect:
      writer.begin(Command::kConnect);
      writer.cstring("unknown");
      writer.byte(m.client_ipv6 ? '6' : '4');
      writer.u16(25);
      writer.cstring(m.client_ip);
      break;
    case Stage::kHelo:
      writer.begin(Command::kHelo);
      writer.cstring(m.helo);
      break;
    case Stage::kMail:
      writer.begin(Command::kMail);
      writer.byte('<');
      writer.raw(m.mail_from);
      writer.cstring(">");
      break;
    case Stage::kRcpt:
      writer.begin(Command::kRcpt);
      writer.byte('<');
      writer.raw(m.recipients[index_]);
      writer.cstring(">");
      break;
    case Stage::kData:
      writer.begin(Command::kData);
      break;
    case Stage::kHeader: {
      const HeaderField& field = m.headers[index_];
      writer.begin(Command::kHeader);
      writer.cstring(field.name);
      const bool lead = protocol_ & kHeaderLeadingSpace;
      writer.cstring(lead ? std::string_view(field.value) : skip_space(field.value));
      break;
    }
    case Stage::kEoh:
      writer.begin(Command::kEoh);
      break;
    case Stage::kBody: {
      writer.begin(Command::kBody);
      const std::size_t offset = index_ * kBodyChunk;
      writer.raw(std::string_view(m.body).substr(offset, kBodyChunk));
      break;
    }
    default:
      writer.begin(Command::kBodyEob);
      break;
  }
  writer.end();
}

Event MilterSession::fail(const char* reason) {
  error_ = reason;
  return Event::kError;
}

Event MilterSession::on_negotiation(const Reply& reply) {
  std::uint32_t version = 0;
  std::uint32_t actions = 0;
  if (reply.command != 'O') return fail("first reply is not OPTNEG");
  if (!read_u32(reply.data, 0, version) || !read_u32(reply.data, 4, actions) ||
      !read_u32(reply.data, 8, protocol_)) {
    return fail("short OPTNEG reply");
  }
  if (version < 2 || version > kMilterVersion) return fail("unsupported milter version");
  // A milter may only pick from what was offered (milter8.c checks the same).
  if ((actions & ~kOfferedActions) || (protocol_ & ~kOfferedProtocol)) {
    return fail("OPTNEG reply asks for more than offered");
  }
  negotiated_ = true;  // a symbol list (SMFIF_SETSYMLIST) may follow; all macros are sent anyway
  return Event::kNegotiated;
}

Event MilterSession::on_modification(const Reply& reply) {
  if (answered_ != Stage::kEob) return fail("modification before end of message");
  std::string_view value;
  bool ok = true;
  switch (reply.command) {
    case 'h':
      ok = header_value(reply.data, 0, value);
      ++modifications_.add_header;
      break;
    case 'i':
      ok = header_value(reply.data, 4, value);
      ++modifications_.insert_header;
      break;
    case 'm':
      ok = header_value(reply.data, 4, value);
      ++modifications_.change_header;
      break;
    default:
      ++modifications_.other;
      return Event::kWaiting;
  }
  if (!ok) return fail("malformed header modification");
  if (!expect_.empty() && value.find(expect_) != std::string_view::npos) matched_ = true;
  return Event::kWaiting;
}

Event MilterSession::on_final(const Reply& reply) {
  switch (reply.command) {
    case 'a':
      verdict_ = Verdict::kAccept;
      break;
    case 'c':
      verdict_ = Verdict::kContinue;
      break;
    case 'r':
      verdict_ = Verdict::kReject;
      break;
    case 't':
      verdict_ = Verdict::kTempfail;
      break;
    case 'd':
      verdict_ = Verdict::kDiscard;
      break;
    case 'y':
      verdict_ = Verdict::kReplyCode;
      break;
    default:
      return fail("unknown reply command");
  }
  in_message_ = false;
  return Event::kMessageDone;
}

Event MilterSession::on_reply(std::string& out, const Reply& reply) {
  if (!negotiated_) return on_negotiation(reply);
  if (!in_message_) return fail("reply while no command was pending");
  if (reply.command == 'p') return Event::kWaiting;  // SMFIR_PROGRESS: keep waiting
  if (std::string_view("himb+-2eq").find(reply.command) != std::string_view::npos) {
    return on_modification(reply);
  }
  if (answered_ == Stage::kEob) return on_final(reply);
  if (reply.command == 'c') {
    if (answered_ == Stage::kRcpt) ++accepted_recipients_;
    return advance(out);
  }
  if (reply.command == 's') {
    if (answered_ != Stage::kBody) return fail("SMFIR_SKIP outside the body");
    stage_ = Stage::kEob;  // no more body chunks
    index_ = 0;
    return advance(out);
  }
  // A refused recipient: the transaction goes on while another one may still be accepted.
  const bool refused_recipient = answered_ == Stage::kRcpt && reply.command != 'a';
  if (refused_recipient && (stage_ == Stage::kRcpt || accepted_recipients_ > 0)) {
    return advance(out);
  }
  // Refused at CONNECT or HELO, Postfix drops the milter for the whole session.
  must_close_ = (answered_ == Stage::kConnect || answered_ == Stage::kHelo) && reply.command != 'a';
  return on_final(reply);
}

}  // namespace authmilter::bench
