#include "recording_milter_context.h"

namespace authmilter::daemon::testing {

std::string RecordingMilterContext::macro(const std::string& name) {
  const auto found = macros.find(name);
  return found != macros.end() ? found->second : "";
}

bool RecordingMilterContext::logged(const std::string& call, const std::string& details) {
  const bool fails = failing_.erase(call) > 0;
  log_.push_back(call + " " + details + (fails ? " (failed)" : ""));
  return !fails;
}

bool RecordingMilterContext::set_reply(const std::string& code, const std::string& enhanced,
                                       const std::string& text) {
  return logged("set_reply", code + " " + enhanced + " " + text);
}

bool RecordingMilterContext::insert_header(int index, const std::string& name,
                                           const std::string& value) {
  return logged("insert_header", std::to_string(index) + " " + name + ":" + value);
}

bool RecordingMilterContext::add_header(const std::string& name, const std::string& value) {
  return logged("add_header", name + ":" + value);
}

bool RecordingMilterContext::delete_header(const std::string& name, int index) {
  return logged("delete_header", name + " " + std::to_string(index));
}

bool RecordingMilterContext::quarantine(const std::string& reason) {
  return logged("quarantine", reason);
}

}  // namespace authmilter::daemon::testing
