// session.h - all milter state of one SMTP connection, owned by its MilterContext
// (milter_context.h: libmilter's SMFICTX in the daemon).
//
// Created at connect (or at the first callback if the MTA skipped connect), freed at close.
// `message` is replaced wholesale at MAIL FROM and reset at abort and after end of message, so
// nothing of one transaction leaks into the next. `slot` counts the connection against
// limits.max_connections until the Session is freed; a Session without one is refused at connect.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "daemon/connection_slots.h"
#include "daemon/runtime.h"
#include "evaluation/message_evaluation.h"

namespace authmilter::daemon {

struct Session {
  explicit Session(std::shared_ptr<const Runtime> runtime_in)
      : runtime(std::move(runtime_in)),
        slot(ConnectionSlot::acquire(runtime ? runtime->config.daemon.max_connections : 0)) {}

  std::shared_ptr<const Runtime> runtime;
  std::optional<ConnectionSlot> slot;  // none: over limits.max_connections, refused at connect
  evaluation::ConnectionFacts connection;
  std::optional<evaluation::MessageEvaluation> message;
  // Value of an X-Authmilter-Probe header of the current message (probe_token.h), bounded.
  std::string probe_header;
  // SMFIP_* steps agreed with the MTA: HDR_LEADSPC (header values keep the
  // space after the colon, which DKIM's simple canonicalization needs).
  unsigned long negotiated_steps = 0;
};

}  // namespace authmilter::daemon
