#include "daemon/libmilter_context.h"

#include "daemon/milter_negotiation.h"

namespace authmilter::daemon {

namespace {

// libmilter's API takes char* for strings it only reads.
char* writable(const std::string& text) {
  return const_cast<char*>(text.c_str());
}

}  // namespace

std::string escape_percent(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    escaped += c;
    if (c == '%') escaped += '%';
  }
  return escaped;
}

Session* LibmilterContext::session() {
  return static_cast<Session*>(smfi_getpriv(context_));
}

void LibmilterContext::adopt_session(std::unique_ptr<Session> session) {
  smfi_setpriv(context_, session.release());
}

std::unique_ptr<Session> LibmilterContext::release_session() {
  std::unique_ptr<Session> owned(session());
  smfi_setpriv(context_, nullptr);
  return owned;
}

void LibmilterContext::request_macros() {
  daemon::request_macros(context_);
}

std::string LibmilterContext::macro(const std::string& name) {
  const char* value = smfi_getsymval(context_, writable(name));
  return value != nullptr ? value : "";
}

bool LibmilterContext::set_reply(const std::string& code, const std::string& enhanced,
                                 const std::string& text) {
  const std::string escaped = escape_percent(text);
  return smfi_setreply(context_, writable(code), writable(enhanced), writable(escaped)) ==
         MI_SUCCESS;
}

bool LibmilterContext::insert_header(int index, const std::string& name, const std::string& value) {
  return smfi_insheader(context_, index, writable(name), writable(value)) == MI_SUCCESS;
}

bool LibmilterContext::add_header(const std::string& name, const std::string& value) {
  return smfi_addheader(context_, writable(name), writable(value)) == MI_SUCCESS;
}

bool LibmilterContext::delete_header(const std::string& name, int index) {
  return smfi_chgheader(context_, writable(name), index, nullptr) == MI_SUCCESS;
}

bool LibmilterContext::quarantine(const std::string& reason) {
  const std::string escaped = escape_percent(reason);
  return smfi_quarantine(context_, writable(escaped)) == MI_SUCCESS;
}

}  // namespace authmilter::daemon
