// session.h - all milter state of one SMTP connection, owned by libmilter's context.
//
// Created at connect (or at the first callback if the MTA skipped connect), freed at close.
// `message` is replaced wholesale at MAIL FROM and reset at abort and after end of message, so
// nothing of one transaction leaks into the next.
#pragma once

#include <memory>
#include <optional>

#include "daemon/runtime.h"
#include "evaluation/message_evaluation.h"

namespace authmilter::daemon {

struct Session {
  explicit Session(std::shared_ptr<const Runtime> runtime_in) : runtime(std::move(runtime_in)) {}

  std::shared_ptr<const Runtime> runtime;
  evaluation::ConnectionFacts connection;
  std::optional<evaluation::MessageEvaluation> message;
  // SMFIP_* steps agreed with the MTA: HDR_LEADSPC (header values keep the
  // space after the colon, which DKIM's simple canonicalization needs).
  unsigned long negotiated_steps = 0;
};

}  // namespace authmilter::daemon
