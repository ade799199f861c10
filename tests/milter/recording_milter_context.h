// recording_milter_context.h - a fake MilterContext for the stage tests: it owns the Session,
// answers macros from a map, and logs every reply and edit (milter_call_log.h) in call order.
//
// fail_next() makes the next call of that kind ("delete_header", "insert_header", ...) report
// MI_FAILURE, still logged, with " (failed)" appended. Not thread-safe; one per test connection.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "daemon/milter_context.h"
#include "milter_call_log.h"

namespace authmilter::daemon::testing {

class RecordingMilterContext final : public MilterContext {
 public:
  explicit RecordingMilterContext(MilterCallLog& log) : log_(log) {}

  std::map<std::string, std::string> macros;  // "{auth_authen}", "i", ... as the MTA sends them
  bool macros_requested = false;

  void fail_next(const std::string& call) { failing_.insert(call); }

  Session* session() override { return session_.get(); }
  void adopt_session(std::unique_ptr<Session> session) override { session_ = std::move(session); }
  std::unique_ptr<Session> release_session() override { return std::move(session_); }
  void request_macros() override { macros_requested = true; }
  std::string macro(const std::string& name) override;

  bool set_reply(const std::string& code, const std::string& enhanced,
                 const std::string& text) override;
  bool insert_header(int index, const std::string& name, const std::string& value) override;
  bool add_header(const std::string& name, const std::string& value) override;
  bool delete_header(const std::string& name, int index) override;
  bool quarantine(const std::string& reason) override;

 private:
  bool logged(const std::string& call, const std::string& details);

  MilterCallLog& log_;
  std::set<std::string> failing_;
  std::unique_ptr<Session> session_;
};

}  // namespace authmilter::daemon::testing
