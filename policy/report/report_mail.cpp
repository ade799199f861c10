// report_mail.cpp - GMime message assembly; see report_mail.h.
#include "report/report_mail.h"

#include <gmime/gmime.h>

#include <mutex>

#include "common/c_handle.h"
#include "report/mime_message_text.h"

namespace authmilter::report {

namespace {

template <class T>
using GObjectHandle = CHandle<T, g_object_unref>;

void init_gmime() {
  // g_mime_init() is process-wide; policy/dmarc guards its own call the same way.
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

std::string body_text(const AggregateReport& report, const ReportOptions& options) {
  return "This is a DMARC aggregate report (RFC 9990) from " + options.org_name +
         " for the domain " + report.slot.policy_domain + ", covering " +
         std::to_string(report.message_count()) + " message(s) between " +
         std::to_string(report.slot.begin) + " and " + std::to_string(report.slot.end - 1) +
         " (seconds since the epoch, UTC).\nReport-ID: " + report.report_id + "\n";
}

GObjectHandle<GMimePart> attachment(const std::string& gzipped_xml, const std::string& name) {
  GObjectHandle<GMimePart> part(g_mime_part_new_with_type("application", "gzip"));
  GObjectHandle<GMimeStream> stream(
      g_mime_stream_mem_new_with_buffer(gzipped_xml.data(), gzipped_xml.size()));
  GObjectHandle<GMimeDataWrapper> wrapper(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part.get(), wrapper.get());
  g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
  g_mime_part_set_filename(part.get(), name.c_str());
  return part;
}

}  // namespace

std::string report_file_name(const AggregateReport& report, const ReportOptions& options) {
  return options.submitter + "!" + report.slot.policy_domain + "!" +
         std::to_string(report.slot.begin) + "!" + std::to_string(report.slot.end - 1) + "!" +
         report.report_id + ".xml.gz";
}

std::string report_subject(const AggregateReport& report, const ReportOptions& options) {
  return "Report Domain: " + report.slot.policy_domain + " Submitter: " + options.submitter +
         " Report-ID: <" + report.report_id + ">";
}

Result<std::string> build_report_mail(const AggregateReport& report, const ReportOptions& options,
                                      const std::string& gzipped_xml, const std::string& to,
                                      std::int64_t now) {
  init_gmime();
  GObjectHandle<GMimeMessage> message(g_mime_message_new(TRUE));
  if (!message) return Error{"mime: out of memory"};
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_FROM, options.org_name.c_str(),
                             options.email.c_str());
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_TO, nullptr, to.c_str());
  g_mime_message_set_subject(message.get(), report_subject(report, options).c_str(), nullptr);
  GDateTime* date = g_date_time_new_from_unix_utc(now);
  g_mime_message_set_date(message.get(), date);
  g_date_time_unref(date);
  const std::string message_id =
      report.report_id + "." + std::to_string(now) + "@" + options.submitter;
  g_mime_message_set_message_id(message.get(), message_id.c_str());

  GObjectHandle<GMimeMultipart> multipart(g_mime_multipart_new_with_subtype("mixed"));
  GObjectHandle<GMimeTextPart> text(g_mime_text_part_new_with_subtype("plain"));
  g_mime_text_part_set_text(text.get(), body_text(report, options).c_str());
  g_mime_multipart_add(multipart.get(), GMIME_OBJECT(text.get()));
  auto part = attachment(gzipped_xml, report_file_name(report, options));
  g_mime_multipart_add(multipart.get(), GMIME_OBJECT(part.get()));
  g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(multipart.get()));

  return mime_message_text(message.get());
}

}  // namespace authmilter::report
