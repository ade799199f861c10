#include "daemon/milter_callbacks.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "common/ascii.h"
#include "daemon/log.h"
#include "daemon/milter_metrics.h"
#include "daemon/milter_negotiation.h"
#include "daemon/probe_reply.h"
#include "daemon/probe_token.h"
#include "daemon/session.h"
#include "evaluation/reply_text.h"
#include "metrics/histogram.h"
#include "metrics/registry.h"

namespace authmilter::daemon {

namespace {

Session* session_of(SMFICTX* context) {
  return static_cast<Session*>(smfi_getpriv(context));
}

std::string macro(SMFICTX* context, const char* name) {
  const char* value = smfi_getsymval(context, const_cast<char*>(name));
  return value != nullptr ? value : "";
}

std::optional<net::IpAddress> address_of(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return net::IpAddress::from_v4_bytes(reinterpret_cast<const std::uint8_t*>(&v4->sin_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return net::IpAddress::from_v6_bytes(v6->sin6_addr.s6_addr);
  }
  return std::nullopt;
}

std::string strip_angle_brackets(const char* address) {
  std::string text = address != nullptr ? address : "";
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>')
    text = text.substr(1, text.size() - 2);
  return text;
}

// libmilter reads '%' in reply text as a format character.
std::string escape_percent(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    escaped += c;
    if (c == '%') escaped += '%';
  }
  return escaped;
}

// Turns a policy StageReply into libmilter's status and reply line: the one place that does.
sfsistat answer(SMFICTX* context, const evaluation::StageReply& reply) {
  using Kind = evaluation::StageReply::Kind;
  if (reply.kind == Kind::proceed) return SMFIS_CONTINUE;
  std::string code = reply.code, enhanced = reply.enhanced, text = escape_percent(reply.text);
  smfi_setreply(context, code.data(), enhanced.data(), text.data());
  return reply.kind == Kind::reject ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

// Runs a stage; any exception becomes a logged tempfail instead of crossing into libmilter.
template <class Stage>
sfsistat guarded(const char* stage_name, Stage&& stage) noexcept {
  try {
    return stage();
  } catch (const std::exception& error) {
    log_line(LogLevel::error, std::string(stage_name) + ": " + error.what());
  } catch (...) {
    log_line(LogLevel::error, std::string(stage_name) + ": unknown error");
  }
  return SMFIS_TEMPFAIL;
}

// Runs a stage the MTA may have agreed not to wait for (`no_reply_step`, an SMFIP_NR_* bit).
// Then the stage must answer SMFIS_NOREPLY, and a failure cannot reach the MTA now: it drops
// the message, so that end of message (or RCPT, for MAIL) answers tempfail instead.
template <class Stage>
sfsistat quiet(SMFICTX* context, unsigned long no_reply_step, const char* stage_name,
               Stage&& stage) noexcept {
  const sfsistat status = guarded(stage_name, std::forward<Stage>(stage));
  Session* session = session_of(context);
  if (session == nullptr || (session->negotiated_steps & no_reply_step) == 0) return status;
  if (status != SMFIS_CONTINUE) session->message.reset();
  return SMFIS_NOREPLY;
}

sfsistat on_negotiate(SMFICTX* context, unsigned long offered_actions, unsigned long offered_steps,
                      unsigned long, unsigned long, unsigned long* actions, unsigned long* steps,
                      unsigned long*, unsigned long*) {
  return guarded("negotiate", [&] {
    if ((offered_actions & (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) != (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) {
      log_line(LogLevel::error, "the MTA does not allow adding and changing headers");
      return SMFIS_REJECT;
    }
    // The context owns the Session until on_close.
    auto session = std::make_unique<Session>(current_runtime());
    unsigned long wanted = kMilterWantedSteps;
    // Over max_connections: connect must be able to answer (no SMFIP_NR_CONN), to refuse.
    if (session->runtime && !session->runtime->config.daemon.socket.is_tcp() && session->slot)
      wanted |= kMilterUnixOnlySteps;
    *actions = kMilterActions & offered_actions;
    *steps = wanted & offered_steps;
    request_macros(context);
    session->negotiated_steps = *steps;
    smfi_setpriv(context, session.release());
    return SMFIS_CONTINUE;
  });
}

// Logs each resource bound the message went over (message_limits.h): one line per bound.
void log_limit_breaches(SMFICTX* context, evaluation::MessageEvaluation& message) {
  for (const auto& breach : message.take_limit_breaches()) {
    std::string queue_id = macro(context, "i");
    if (queue_id.empty()) queue_id = "NOQUEUE";
    log_line(LogLevel::warning, queue_id + ": limit: " + evaluation::describe(breach));
    count_limit_breach(breach);
  }
}

// A connection over limits.max_connections: 451 4.3.2 (RFC 3463 §3.3 "system not accepting
// network messages"); the MTA tempfails that SMTP session and its client retries later.
sfsistat refuse_connection(SMFICTX* context, const Session& session) {
  const std::size_t max = session.runtime ? session.runtime->config.daemon.max_connections : 0;
  const std::string client =
      session.connection.client_address ? session.connection.client_address->to_string() : "?";
  log_line(LogLevel::warning, "connection for client " + client +
                                  " refused: limit: limits.max_connections=" + std::to_string(max) +
                                  " reached: tempfail 451 4.3.2");
  count_refused_connection();
  return answer(context, {evaluation::StageReply::Kind::tempfail, "451", "4.3.2",
                          "too many connections to the mail filter, try again later"});
}

sfsistat on_connect(SMFICTX* context, char* host_name, _SOCK_ADDR* address) {
  return quiet(context, SMFIP_NR_CONN, "connect", [&] {
    Session* session = session_of(context);
    if (session == nullptr) {  // MTA without negotiation (protocol < 6)
      session = std::make_unique<Session>(current_runtime()).release();
      smfi_setpriv(context, session);
    }
    session->connection.client_address = address_of(address);
    session->connection.client_name = host_name != nullptr ? host_name : "";
    if (!session->slot) return refuse_connection(context, *session);
    return SMFIS_CONTINUE;
  });
}

sfsistat on_helo(SMFICTX* context, char* helo) {
  return quiet(context, SMFIP_NR_HELO, "helo", [&] {
    if (Session* session = session_of(context))
      session->connection.helo = helo != nullptr ? helo : "";
    return SMFIS_CONTINUE;
  });
}

sfsistat on_envfrom(SMFICTX* context, char** arguments) {
  return quiet(context, SMFIP_NR_MAIL, "envfrom", [&] {
    Session* session = session_of(context);
    // An MTA that goes on after a refused connect is refused again (no slot, no work).
    if (session == nullptr || !session->slot) return SMFIS_TEMPFAIL;
    evaluation::Envelope envelope;
    envelope.mail_from = strip_angle_brackets(arguments != nullptr ? arguments[0] : nullptr);
    envelope.authenticated_user = macro(context, "{auth_authen}");
    session->probe_header.clear();
    session->message.emplace(session->runtime->evaluation, session->connection,
                             std::move(envelope));
    session->message->check_sender();
    return SMFIS_CONTINUE;
  });
}

sfsistat on_envrcpt(SMFICTX* context, char** arguments) {
  return guarded("envrcpt", [&] {
    Session* session = session_of(context);
    if (session == nullptr || !session->message) return SMFIS_TEMPFAIL;
    const evaluation::StageReply reply = session->message->recipient(
        strip_angle_brackets(arguments != nullptr ? arguments[0] : nullptr));
    log_limit_breaches(context, *session->message);
    return answer(context, reply);
  });
}

sfsistat on_header(SMFICTX* context, char* name, char* value) {
  return quiet(context, SMFIP_NR_HDR, "header", [&] {
    Session* session = session_of(context);
    if (session == nullptr || !session->message || name == nullptr || value == nullptr)
      return SMFIS_CONTINUE;
    session->message->header(name, value);
    if (probe_key() != nullptr && equal_ignoring_case(name, kProbeHeaderName) &&
        std::strlen(value) <= kMaxProbeHeaderLength)
      session->probe_header = value;
    return SMFIS_CONTINUE;
  });
}

sfsistat on_eoh(SMFICTX* context) {
  return quiet(context, SMFIP_NR_EOH, "eoh", [&] {
    Session* session = session_of(context);
    if (session != nullptr && session->message) session->message->end_of_headers();
    return SMFIS_CONTINUE;
  });
}

sfsistat on_body(SMFICTX* context, unsigned char* bytes, size_t length) {
  return quiet(context, SMFIP_NR_BODY, "body", [&] {
    Session* session = session_of(context);
    if (session != nullptr && session->message && bytes != nullptr)
      session->message->body_chunk({reinterpret_cast<const char*>(bytes), length});
    return SMFIS_CONTINUE;
  });
}

// With SMFIP_HDR_LEADSPC agreed the MTA writes "Name:" + value as given, so the space that
// "Name: value" recipes (procmail, sieve) expect is ours to add.
std::string header_value(const Session& session, const std::string& value) {
  return ((session.negotiated_steps & SMFIP_HDR_LEADSPC) ? " " : "") + value;
}

// Carries out a quarantine: the hold queue and/or the marker header (decision.h).
void quarantine(SMFICTX* context, const Session& session,
                const evaluation::MessageOutcome& outcome) {
  const auto& decision = outcome.decision;
  const std::string marker = header_value(session, outcome.quarantine_header_value);
  if (decision.add_header &&
      smfi_addheader(context, const_cast<char*>(outcome.quarantine_header_name.c_str()),
                     const_cast<char*>(marker.c_str())) != MI_SUCCESS)
    log_line(LogLevel::error, "could not add the quarantine header");
  if (!decision.hold) return;
  std::string reason = "authmilter: " + decision.why;
  for (const auto& item : decision.overrides)
    reason += std::string(" (") + decision::to_string(item.reason) + ")";
  reason = escape_percent(evaluation::reply_text(reason));
  if (smfi_quarantine(context, reason.data()) != MI_SUCCESS)
    log_line(LogLevel::error, "could not quarantine (hold) the message");
}

// Header edits of a message that is not refused: forged AR out, ours on top. False when a
// forged header could not be deleted: passing it on would let the forgery stand (CVE-2022-48521).
// (An MTA that does not offer SMFIF_CHGHDRS is refused at negotiation by libmilter, since
// xxfi_flags lists it; what is left is a failed write to the MTA.)
bool edit_headers(SMFICTX* context, const Session& session,
                  const evaluation::MessageOutcome& outcome) {
  for (int index : outcome.forged_header_indices) {
    if (smfi_chgheader(context, const_cast<char*>("Authentication-Results"), index, nullptr) !=
        MI_SUCCESS) {
      log_line(LogLevel::error, "could not delete a forged Authentication-Results header");
      return false;
    }
  }
  const std::string value = header_value(session, outcome.authentication_results);
  if (smfi_insheader(context, 0, const_cast<char*>("Authentication-Results"),
                     const_cast<char*>(value.c_str())) != MI_SUCCESS)
    log_line(LogLevel::error, "could not insert the Authentication-Results header");
  return true;
}

// Commits the message's report row before the MTA hears our answer (durable across kill -9),
// after every other step that could still turn the answer into a tempfail (no row is then kept
// for a message the sender will send again).
// False when the row could not be written and the configuration says to tempfail then.
bool record(const Session& session, const evaluation::MessageOutcome& outcome) {
  if (!outcome.report_row || !session.runtime->store) return true;
  const Status stored = timed_store_write(*session.runtime->store, *outcome.report_row);
  if (stored.ok()) return true;
  log_line(LogLevel::error,
           "record store: cannot record " + outcome.report_row->queue_id + ": " + stored.error());
  return session.runtime->config.store.on_failure != report::StoreFailureAction::tempfail;
}

// A verified authmilter-check probe is refused with the header we would have added: the probe
// reads it in its SMTP session. It leaves no report row and no header edits.
std::optional<sfsistat> answer_probe(SMFICTX* context, Session& session,
                                     const evaluation::MessageOutcome& outcome,
                                     const std::string& skip_reason) {
  const std::string header = std::exchange(session.probe_header, std::string());
  const ProbeKey* key = probe_key();
  if (header.empty() || key == nullptr) return std::nullopt;
  const auto nonce = key->verified_nonce(header);
  if (!nonce) {
    log_line(LogLevel::notice, macro(context, "i") + ": " + kProbeHeaderName +
                                   " header without a valid token: treated as ordinary mail");
    return std::nullopt;
  }
  log_line(LogLevel::notice, macro(context, "i") + ": probe " + *nonce + " answered");
  return answer(context,
                {evaluation::StageReply::Kind::reject, kProbeReplyCode, kProbeReplyEnhanced,
                 probe_reply_text(*nonce, outcome.authentication_results, skip_reason)});
}

sfsistat on_eom(SMFICTX* context) {
  const metrics::ScopedTimer timer(metrics::registry().eom_duration);
  bool quarantined = false, probe_answered = false;
  const sfsistat status = guarded("eom", [&] {
    Session* session = session_of(context);
    if (session == nullptr || !session->message) return SMFIS_TEMPFAIL;
    session->message->set_queue_id(macro(context, "i"));
    const evaluation::MessageOutcome outcome = session->message->end_of_message();
    log_limit_breaches(context, *session->message);
    const std::string skip_reason = session->message->skip_reason();
    session->message.reset();
    log_line(LogLevel::info, macro(context, "i") + ": " + outcome.log_summary);
    if (auto probe = answer_probe(context, *session, outcome, skip_reason)) {
      probe_answered = true;
      return *probe;
    }
    const bool proceeds = outcome.reply.kind == evaluation::StageReply::Kind::proceed;
    if (proceeds && !edit_headers(context, *session, outcome))
      return answer(context, {evaluation::StageReply::Kind::tempfail, "451", "4.3.0",
                              "cannot remove a forged Authentication-Results header"});
    if (!record(*session, outcome))
      return answer(context, {evaluation::StageReply::Kind::tempfail, "451", "4.3.0",
                              "cannot record the message, try again later"});
    if (!proceeds) return answer(context, outcome.reply);
    quarantined = outcome.decision.action == decision::Action::quarantine;
    if (quarantined) quarantine(context, *session, outcome);
    return SMFIS_ACCEPT;
  });
  count_eom_answer(status, quarantined, probe_answered);
  return status;
}

sfsistat on_abort(SMFICTX* context) {
  return guarded("abort", [&] {
    if (Session* session = session_of(context)) {
      session->message.reset();
      session->probe_header.clear();
    }
    return SMFIS_CONTINUE;
  });
}

sfsistat on_close(SMFICTX* context) {
  return guarded("close", [&] {
    std::unique_ptr<Session> owned(session_of(context));
    smfi_setpriv(context, nullptr);
    return SMFIS_CONTINUE;
  });
}

}  // namespace

smfiDesc milter_description() {
  smfiDesc description{};
  description.xxfi_name = const_cast<char*>("authmilter");
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_flags = kMilterActions;
  description.xxfi_connect = on_connect;
  description.xxfi_helo = on_helo;
  description.xxfi_envfrom = on_envfrom;
  description.xxfi_envrcpt = on_envrcpt;
  description.xxfi_header = on_header;
  description.xxfi_eoh = on_eoh;
  description.xxfi_body = on_body;
  description.xxfi_eom = on_eom;
  description.xxfi_abort = on_abort;
  description.xxfi_close = on_close;
  description.xxfi_negotiate = on_negotiate;
  return description;
}

}  // namespace authmilter::daemon
