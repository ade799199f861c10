// milter_context.h - what a milter stage (milter_stages.h) asks of its MTA connection.
//
// One MilterContext per connection and callback, over libmilter's SMFICTX in the daemon
// (libmilter_context.h) and over a recording fake in the unit tests (tests/milter/), so that the
// stage logic and the order of its edits are tested without an MTA. Each method is one libmilter
// call; the edits and the reply return false when libmilter answers MI_FAILURE. Texts are passed
// as the MTA should show them: escaping for libmilter's reply format is the implementation's job.
// The context owns the connection's Session from adopt_session() until release_session().
#pragma once

#include <memory>
#include <string>

#include "daemon/session.h"

namespace authmilter::daemon {

class MilterContext {
 public:
  virtual ~MilterContext() = default;

  virtual Session* session() = 0;                                    // smfi_getpriv
  virtual void adopt_session(std::unique_ptr<Session> session) = 0;  // smfi_setpriv
  virtual std::unique_ptr<Session> release_session() = 0;            // smfi_setpriv(nullptr)
  virtual void request_macros() = 0;  // smfi_setsymlist: the macros of milter_negotiation.h
  virtual std::string macro(const std::string& name) = 0;  // smfi_getsymval; "" when not sent

  virtual bool set_reply(const std::string& code, const std::string& enhanced,
                         const std::string& text) = 0;  // smfi_setreply
  virtual bool insert_header(int index, const std::string& name,
                             const std::string& value) = 0;                        // smfi_insheader
  virtual bool add_header(const std::string& name, const std::string& value) = 0;  // smfi_addheader
  // The index-th (1-based) field of that name: smfi_chgheader with a null value.
  virtual bool delete_header(const std::string& name, int index) = 0;
  virtual bool quarantine(const std::string& reason) = 0;  // smfi_quarantine
};

}  // namespace authmilter::daemon
