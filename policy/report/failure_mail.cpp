// failure_mail.cpp - ARF assembly; see failure_mail.h.
#include "report/failure_mail.h"

#include <gmime/gmime.h>

#include <ctime>
#include <mutex>

#include "common/c_handle.h"
#include "report/mime_message_text.h"

namespace authmilter::report {

namespace {

template <class T>
using GObjectHandle = CHandle<T, g_object_unref>;

constexpr std::size_t kMaxFieldValue = 2048;  // our bound on one report field's value
constexpr std::size_t kFoldAt = 76;           // RFC 5322 §2.1.1: lines SHOULD stay under 78
constexpr const char* kUserAgent = "authmilter/0.1";

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// One field value as printable ASCII on one logical line: control characters (CR and LF
// among them) go, other bytes beyond ASCII become '?', and the value is cut at its bound.
std::string clean_value(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '\t') {
      out += ' ';
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else if (byte >= 0x80) {
      out += '?';
    }
    if (out.size() >= kMaxFieldValue) break;
  }
  return out;
}

// "Name: value" folded at spaces (RFC 5322 §2.2.3) so that lines stay short; a run without a
// space is left whole (clean_value bounds it far below the 998-byte line limit).
std::string field(std::string_view name, std::string_view value) {
  const std::string clean = clean_value(value);
  std::string out(name);
  out += ":";
  std::size_t line = out.size();
  std::size_t start = 0;
  while (start < clean.size()) {
    auto end = clean.find(' ', start);
    if (end == std::string::npos) end = clean.size();
    const std::string_view word(clean.data() + start, end - start);
    if (!word.empty()) {
      if (line + 1 + word.size() > kFoldAt && line > name.size() + 1) {
        out += "\r\n";
        line = 0;
      }
      out += ' ';
      out += word;
      line += 1 + word.size();
    }
    start = end + 1;
  }
  return out + "\r\n";
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : clean_value(text)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string rfc5322_date(std::int64_t unix_seconds) {
  const std::time_t time = unix_seconds;
  std::tm tm{};
  gmtime_r(&time, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return text;
}

std::string human_text(const StoredFailure& stored, const ReportOptions& reports) {
  const FailureRecord& f = stored.failure;
  return "This is a DMARC failure report (RFC 9991) from " + clean_value(reports.org_name) +
         ".\r\n\r\nA message with the From domain " + clean_value(stored.header_from) +
         " was received from " + clean_value(stored.source_ip) + " on " +
         rfc5322_date(stored.time) + ". Aligned identities: " + clean_value(f.identity_alignment) +
         "; what we did with it: " + clean_value(f.delivery_result) +
         ".\r\n\r\nThe machine-readable part follows RFC 6591; the message's header section is"
         " attached without its body" +
         (f.headers_cut ? ", cut at our size bound" : "") +
         ". Addresses may be redacted (RFC 6590). Failure reports are rate-limited.\r\n";
}

GObjectHandle<GMimePart> text_part(const char* type, const char* subtype,
                                   const std::string& content) {
  GObjectHandle<GMimePart> part(g_mime_part_new_with_type(type, subtype));
  GObjectHandle<GMimeStream> stream(
      g_mime_stream_mem_new_with_buffer(content.data(), content.size()));
  GObjectHandle<GMimeDataWrapper> wrapper(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part.get(), wrapper.get());
  // 7bit when it is, else quoted-printable (a recorded header may hold UTF-8 or long lines).
  g_mime_part_set_content_encoding(part.get(), g_mime_part_get_best_content_encoding(
                                                   part.get(), GMIME_ENCODING_CONSTRAINT_7BIT));
  return part;
}

}  // namespace

std::string failure_report_fields(const StoredFailure& stored, const ReportOptions& reports) {
  const FailureRecord& f = stored.failure;
  std::string out;
  out += field("Feedback-Type", "auth-failure");
  out += field("User-Agent", kUserAgent);
  out += field("Version", "1");
  out += field("Auth-Failure", "dmarc");
  out += field("Identity-Alignment", f.identity_alignment.empty() ? "none" : f.identity_alignment);
  out += field("Original-Mail-From", "<" + f.mail_from + ">");
  out += field("Arrival-Date", rfc5322_date(stored.time));
  if (!stored.source_ip.empty()) out += field("Source-IP", stored.source_ip);
  out += field("Reported-Domain", stored.header_from);
  out += field("Reporting-MTA", "dns; " + reports.submitter);
  out += field("Delivery-Result", f.delivery_result.empty() ? "other" : f.delivery_result);
  if (!f.authentication_results.empty())
    out += field("Authentication-Results", f.authentication_results);
  if (!f.dkim_domain.empty()) {
    out += field("DKIM-Domain", f.dkim_domain);
    out += field("DKIM-Identity", f.dkim_identity.empty() ? "@" + f.dkim_domain : f.dkim_identity);
    out += field("DKIM-Selector", f.dkim_selector);
  }
  if (!f.spf_record.empty() && !stored.spf_domain.empty())
    out += field("SPF-DNS", "txt : " + stored.spf_domain + " : " + quoted(f.spf_record));
  return out;
}

std::string failure_report_subject(const StoredFailure& stored) {
  return "DMARC failure report for " + clean_value(stored.header_from) + " from " +
         clean_value(stored.source_ip.empty() ? "an unknown address" : stored.source_ip);
}

Result<std::string> build_failure_report(const StoredFailure& stored,
                                         const FailureMailSettings& settings, const std::string& to,
                                         std::int64_t now) {
  init_gmime();
  const ReportOptions& reports = *settings.reports;
  GObjectHandle<GMimeMessage> message(g_mime_message_new(TRUE));
  if (!message) return Error{"mime: out of memory"};
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_FROM, reports.org_name.c_str(),
                             settings.from.c_str());
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_TO, nullptr, to.c_str());
  g_mime_message_set_subject(message.get(), failure_report_subject(stored).c_str(), nullptr);
  GDateTime* date = g_date_time_new_from_unix_utc(now);
  g_mime_message_set_date(message.get(), date);
  g_date_time_unref(date);
  const std::string message_id =
      "failure-" + std::to_string(stored.id) + "." + std::to_string(now) + "@" + reports.submitter;
  g_mime_message_set_message_id(message.get(), message_id.c_str());

  GObjectHandle<GMimeMultipart> multipart(g_mime_multipart_new_with_subtype("report"));
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(multipart.get()), "report-type",
                                           "feedback-report");
  GObjectHandle<GMimeTextPart> text(g_mime_text_part_new_with_subtype("plain"));
  g_mime_text_part_set_text(text.get(), human_text(stored, reports).c_str());
  g_mime_multipart_add(multipart.get(), GMIME_OBJECT(text.get()));
  auto fields = text_part("message", "feedback-report", failure_report_fields(stored, reports));
  g_mime_multipart_add(multipart.get(), GMIME_OBJECT(fields.get()));
  auto headers = text_part("text", "rfc822-headers", stored.failure.headers);
  g_mime_multipart_add(multipart.get(), GMIME_OBJECT(headers.get()));
  g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(multipart.get()));

  return mime_message_text(message.get());
}

}  // namespace authmilter::report
