#include "daemon/milter_stages.h"

#include <cstring>
#include <string>
#include <utility>

#include "common/ascii.h"
#include "daemon/connection_slots.h"
#include "daemon/log.h"
#include "daemon/milter_metrics.h"
#include "daemon/milter_negotiation.h"
#include "daemon/probe_reply.h"
#include "daemon/probe_token.h"
#include "evaluation/reply_text.h"
#include "metrics/histogram.h"
#include "metrics/registry.h"

namespace authmilter::daemon {

namespace {

std::string strip_angle_brackets(const char* address) {
  std::string text = address != nullptr ? address : "";
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>')
    text = text.substr(1, text.size() - 2);
  return text;
}

// A 451 of the milter's own (a bound or a store failed, not the policy): the client retries.
evaluation::StageReply tempfail(std::string enhanced, std::string text) {
  return {.kind = evaluation::StageReply::Kind::tempfail,
          .refusal = {.code = "451", .enhanced = std::move(enhanced), .text = std::move(text)}};
}

// Turns a policy StageReply into libmilter's status and reply line: the one place that does.
sfsistat answer(MilterContext& context, const evaluation::StageReply& reply) {
  using Kind = evaluation::StageReply::Kind;
  if (reply.kind == Kind::proceed) return SMFIS_CONTINUE;
  context.set_reply(reply.refusal.code, reply.refusal.enhanced, reply.refusal.text);
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
sfsistat quiet(MilterContext& context, unsigned long no_reply_step, const char* stage_name,
               Stage&& stage) noexcept {
  const sfsistat status = guarded(stage_name, std::forward<Stage>(stage));
  Session* session = context.session();
  if (session == nullptr || (session->negotiated_steps & no_reply_step) == 0) return status;
  if (status != SMFIS_CONTINUE) session->message.reset();
  return SMFIS_NOREPLY;
}

// Logs each resource bound the message went over (message_limits.h): one line per bound.
void log_limit_breaches(MilterContext& context, evaluation::MessageEvaluation& message) {
  for (const auto& breach : message.take_limit_breaches()) {
    std::string queue_id = context.macro("i");
    if (queue_id.empty()) queue_id = "NOQUEUE";
    log_line(LogLevel::warning, queue_id + ": limit: " + evaluation::describe(breach));
    count_limit_breach(breach);
  }
}

// A connection over limits.max_connections: 451 4.3.2 (RFC 3463 §3.3 "system not accepting
// network messages"); the MTA tempfails that SMTP session and its client retries later.
sfsistat refuse_connection(MilterContext& context, const Session& session) {
  const std::size_t max = session.runtime ? session.runtime->config.daemon.max_connections : 0;
  const std::string client =
      session.connection.client_address ? session.connection.client_address->to_string() : "?";
  const std::size_t cap = descriptor_connection_cap();
  const std::string cut =
      cap < max ? " (cut to " + std::to_string(cap) + " by the open-file limit)" : "";
  log_line(LogLevel::warning, "connection for client " + client +
                                  " refused: limit: limits.max_connections=" + std::to_string(max) +
                                  cut + " reached: tempfail 451 4.3.2");
  count_refused_connection();
  return answer(context,
                tempfail("4.3.2", "too many connections to the mail filter, try again later"));
}

// With SMFIP_HDR_LEADSPC agreed the MTA writes "Name:" + value as given, so the space that
// "Name: value" recipes (procmail, sieve) expect is ours to add.
std::string header_value(const Session& session, const std::string& value) {
  return ((session.negotiated_steps & SMFIP_HDR_LEADSPC) ? " " : "") + value;
}

// Carries out a quarantine: the hold queue and/or the marker header (decision.h).
void quarantine(MilterContext& context, const Session& session,
                const evaluation::MessageOutcome& outcome) {
  const auto& decision = outcome.decision();
  if (decision.add_header &&
      !context.add_header(outcome.quarantine_header_name,
                          header_value(session, outcome.quarantine_header_value)))
    log_line(LogLevel::error, "could not add the quarantine header");
  if (!decision.hold) return;
  std::string reason = "authmilter: " + decision.why;
  for (const auto& item : decision.overrides)
    reason += std::string(" (") + decision::to_string(item.reason) + ")";
  if (!context.quarantine(evaluation::reply_text(reason)))
    log_line(LogLevel::error, "could not quarantine (hold) the message");
}

// Header edits of a message that is not refused: forged AR out, ours on top. False when a
// forged header could not be deleted: passing it on would let the forgery stand (CVE-2022-48521).
// (An MTA that does not offer SMFIF_CHGHDRS is refused at negotiation by libmilter, since
// xxfi_flags lists it; what is left is a failed write to the MTA.)
bool edit_headers(MilterContext& context, const Session& session,
                  const evaluation::MessageOutcome& outcome) {
  for (int index : outcome.forged_header_indices) {
    if (!context.delete_header("Authentication-Results", index)) {
      log_line(LogLevel::error, "could not delete a forged Authentication-Results header");
      return false;
    }
  }
  if (!context.insert_header(0, "Authentication-Results",
                             header_value(session, outcome.authentication_results)))
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
std::optional<sfsistat> answer_probe(MilterContext& context, Session& session,
                                     const evaluation::MessageOutcome& outcome,
                                     const std::string& skip_reason) {
  const std::string header = std::exchange(session.probe_header, std::string());
  const ProbeKey* key = probe_key();
  if (header.empty() || key == nullptr) return std::nullopt;
  const auto nonce = key->verified_nonce(header);
  if (!nonce) {
    log_line(LogLevel::notice, context.macro("i") + ": " + kProbeHeaderName +
                                   " header without a valid token: treated as ordinary mail");
    return std::nullopt;
  }
  log_line(LogLevel::notice, context.macro("i") + ": probe " + *nonce + " answered");
  return answer(
      context,
      {.kind = evaluation::StageReply::Kind::reject,
       .refusal = {.code = kProbeReplyCode,
                   .enhanced = kProbeReplyEnhanced,
                   .text = probe_reply_text(*nonce, outcome.authentication_results, skip_reason)}});
}

}  // namespace

sfsistat negotiate_stage(MilterContext& context, unsigned long offered_actions,
                         unsigned long offered_steps, unsigned long* actions,
                         unsigned long* steps) {
  return guarded("negotiate", [&] {
    if ((offered_actions & (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) != (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) {
      log_line(LogLevel::error, "the MTA does not allow adding and changing headers");
      return SMFIS_REJECT;
    }
    // The context owns the Session until close_stage.
    auto session = std::make_unique<Session>(current_runtime());
    unsigned long wanted = kMilterWantedSteps;
    // Over max_connections: connect must be able to answer (no SMFIP_NR_CONN), to refuse.
    if (session->runtime && !session->runtime->config.daemon.socket.is_tcp() && session->slot)
      wanted |= kMilterUnixOnlySteps;
    *actions = kMilterActions & offered_actions;
    *steps = wanted & offered_steps;
    context.request_macros();
    session->negotiated_steps = *steps;
    context.adopt_session(std::move(session));
    return SMFIS_CONTINUE;
  });
}

sfsistat connect_stage(MilterContext& context, const char* host_name,
                       std::optional<net::IpAddress> client_address) {
  return quiet(context, SMFIP_NR_CONN, "connect", [&] {
    Session* session = context.session();
    if (session == nullptr) {  // MTA without negotiation (protocol < 6)
      context.adopt_session(std::make_unique<Session>(current_runtime()));
      session = context.session();
    }
    session->connection.client_address = std::move(client_address);
    session->connection.client_name = host_name != nullptr ? host_name : "";
    if (!session->slot) return refuse_connection(context, *session);
    return SMFIS_CONTINUE;
  });
}

sfsistat helo_stage(MilterContext& context, const char* helo) {
  return quiet(context, SMFIP_NR_HELO, "helo", [&] {
    if (Session* session = context.session())
      session->connection.helo = helo != nullptr ? helo : "";
    return SMFIS_CONTINUE;
  });
}

sfsistat envfrom_stage(MilterContext& context, const char* mail_from) {
  return quiet(context, SMFIP_NR_MAIL, "envfrom", [&] {
    Session* session = context.session();
    // An MTA that goes on after a refused connect is refused again (no slot, no work).
    if (session == nullptr || !session->slot) return SMFIS_TEMPFAIL;
    evaluation::Envelope envelope;
    envelope.mail_from = strip_angle_brackets(mail_from);
    envelope.authenticated_user = context.macro("{auth_authen}");
    session->probe_header.clear();
    session->message.emplace(session->runtime->evaluation, session->connection,
                             std::move(envelope));
    session->message->check_sender();
    return SMFIS_CONTINUE;
  });
}

sfsistat envrcpt_stage(MilterContext& context, const char* recipient) {
  return guarded("envrcpt", [&] {
    Session* session = context.session();
    if (session == nullptr || !session->message) return SMFIS_TEMPFAIL;
    const evaluation::StageReply reply =
        session->message->recipient(strip_angle_brackets(recipient));
    log_limit_breaches(context, *session->message);
    return answer(context, reply);
  });
}

sfsistat header_stage(MilterContext& context, const char* name, const char* value) {
  return quiet(context, SMFIP_NR_HDR, "header", [&] {
    Session* session = context.session();
    if (session == nullptr || !session->message || name == nullptr || value == nullptr)
      return SMFIS_CONTINUE;
    session->message->header(name, value);
    if (probe_key() != nullptr && equal_ignoring_case(name, kProbeHeaderName) &&
        std::strlen(value) <= kMaxProbeHeaderLength)
      session->probe_header = value;
    return SMFIS_CONTINUE;
  });
}

sfsistat end_of_headers_stage(MilterContext& context) {
  return quiet(context, SMFIP_NR_EOH, "eoh", [&] {
    Session* session = context.session();
    if (session != nullptr && session->message) session->message->end_of_headers();
    return SMFIS_CONTINUE;
  });
}

sfsistat body_stage(MilterContext& context, const unsigned char* bytes, std::size_t length) {
  return quiet(context, SMFIP_NR_BODY, "body", [&] {
    Session* session = context.session();
    if (session != nullptr && session->message && bytes != nullptr)
      session->message->body_chunk({reinterpret_cast<const char*>(bytes), length});
    return SMFIS_CONTINUE;
  });
}

sfsistat end_of_message_stage(MilterContext& context) {
  const metrics::ScopedTimer timer(metrics::registry().eom_duration);
  bool quarantined = false, probe_answered = false;
  const sfsistat status = guarded("eom", [&] {
    Session* session = context.session();
    if (session == nullptr || !session->message) return SMFIS_TEMPFAIL;
    session->message->set_queue_id(context.macro("i"));
    const evaluation::MessageOutcome outcome = session->message->end_of_message();
    log_limit_breaches(context, *session->message);
    const std::string skip_reason = session->message->skip_reason();
    session->message.reset();
    log_line(LogLevel::info, context.macro("i") + ": " + outcome.log_summary);
    if (auto probe = answer_probe(context, *session, outcome, skip_reason)) {
      probe_answered = true;
      return *probe;
    }
    const bool proceeds = outcome.reply.kind == evaluation::StageReply::Kind::proceed;
    if (proceeds && !edit_headers(context, *session, outcome))
      return answer(context,
                    tempfail("4.3.0", "cannot remove a forged Authentication-Results header"));
    if (!record(*session, outcome))
      return answer(context, tempfail("4.3.0", "cannot record the message, try again later"));
    if (!proceeds) return answer(context, outcome.reply);
    quarantined = outcome.decision().action == decision::Action::quarantine;
    if (quarantined) quarantine(context, *session, outcome);
    return SMFIS_ACCEPT;
  });
  count_eom_answer(status, quarantined, probe_answered);
  return status;
}

sfsistat abort_stage(MilterContext& context) {
  return guarded("abort", [&] {
    if (Session* session = context.session()) {
      session->message.reset();
      session->probe_header.clear();
    }
    return SMFIS_CONTINUE;
  });
}

sfsistat close_stage(MilterContext& context) {
  return guarded("close", [&] {
    context.release_session();  // the Session (and its connection slot) ends here
    return SMFIS_CONTINUE;
  });
}

}  // namespace authmilter::daemon
