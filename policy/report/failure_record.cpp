// failure_record.cpp - bounding a failure record before it is stored.
#include "report/failure_record.h"

#include <algorithm>
#include <cctype>

#include "report/report_record.h"
#include "report/utf8_text.h"

namespace authmilter::report {

namespace {

// Every line ends in CRLF (bare CR and LF become CRLF), other control characters but TAB go,
// and a section over the bound is cut after its last whole line.
void clean_headers(FailureRecord& failure) {
  std::string out;
  out.reserve(std::min(failure.headers.size(), kMaxFailureHeaderBytes));
  const std::string& in = failure.headers;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < in.size() && in[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (c == '\t' || !std::iscntrl(static_cast<unsigned char>(c))) {
      out += c;
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  if (out.size() > kMaxFailureHeaderBytes) {
    out.resize(kMaxFailureHeaderBytes);
    const auto last_line = out.rfind("\r\n");
    out.resize(last_line == std::string::npos ? 0 : last_line + 2);
    failure.headers_cut = true;
  }
  failure.headers = utf8_or_ascii(std::move(out));
}

}  // namespace

void sanitize_failure(FailureRecord& failure) {
  clean_stored_text(failure.ruf, kMaxRuaLength);
  for (std::string* field :
       {&failure.fired, &failure.identity_alignment, &failure.mail_from, &failure.dkim_domain,
        &failure.dkim_identity, &failure.dkim_selector, &failure.delivery_result})
    clean_stored_text(*field, kMaxShortFieldLength);
  clean_stored_text(failure.spf_record, kMaxFailureTextLength);
  clean_stored_text(failure.authentication_results, kMaxFailureTextLength);
  clean_headers(failure);
}

}  // namespace authmilter::report
