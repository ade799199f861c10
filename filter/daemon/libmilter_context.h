// libmilter_context.h - the daemon's MilterContext: each method is the smfi_* call on an SMFICTX.
//
// Built on the stack by each libmilter callback (milter_callbacks.cpp) for the call's duration;
// it owns nothing itself (the Session belongs to libmilter's context, see milter_context.h).
// Reply texts and quarantine reasons have '%' doubled, since libmilter reads them as formats.
#pragma once

#include <libmilter/mfapi.h>

#include <string>
#include <string_view>

#include "daemon/milter_context.h"

namespace authmilter::daemon {

// libmilter reads '%' in reply text as a format character.
std::string escape_percent(std::string_view text);

class LibmilterContext final : public MilterContext {
 public:
  explicit LibmilterContext(SMFICTX* context) : context_(context) {}

  Session* session() override;
  void adopt_session(std::unique_ptr<Session> session) override;
  std::unique_ptr<Session> release_session() override;
  void request_macros() override;
  std::string macro(const std::string& name) override;

  bool set_reply(const std::string& code, const std::string& enhanced,
                 const std::string& text) override;
  bool insert_header(int index, const std::string& name, const std::string& value) override;
  bool add_header(const std::string& name, const std::string& value) override;
  bool delete_header(const std::string& name, int index) override;
  bool quarantine(const std::string& reason) override;

 private:
  SMFICTX* context_;
};

}  // namespace authmilter::daemon
