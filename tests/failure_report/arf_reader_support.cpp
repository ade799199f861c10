// arf_reader_support.cpp - see arf_reader.h.
#include <gmime/gmime.h>

#include <mutex>

#include "arf_reader.h"
#include "common/ascii.h"
#include "common/c_handle.h"

namespace authmilter::report::testing {

namespace {

template <class T>
using GObjectHandle = CHandle<T, g_object_unref>;

std::string content_of(GMimeObject* object) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(GMIME_PART(object));
  GObjectHandle<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(wrapper, out.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

bool has_type(GMimeObject* object, const char* type, const char* subtype) {
  GMimeContentType* content_type = g_mime_object_get_content_type(object);
  return g_mime_content_type_is_type(content_type, type, subtype) != 0;
}

}  // namespace

std::map<std::string, std::string> parse_fields(const std::string& text) {
  std::map<std::string, std::string> fields;
  std::string name, value;
  const auto flush = [&] {
    if (name.empty()) return;
    auto& slot = fields[lower_ascii(name)];
    slot += (slot.empty() ? "" : "\n") + std::string(trim_wsp(value));
    name.clear();
  };
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start = end + 1;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      value += line;
      continue;
    }
    flush();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    name = line.substr(0, colon);
    value = line.substr(colon + 1);
  }
  flush();
  return fields;
}

std::optional<ArfMessage> read_arf(const std::string& raw) {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
  GObjectHandle<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GObjectHandle<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GObjectHandle<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) return std::nullopt;
  GMimeObject* top = g_mime_message_get_mime_part(message.get());
  if (top == nullptr || !GMIME_IS_MULTIPART(top) || !has_type(top, "multipart", "report"))
    return std::nullopt;
  const char* report_type = g_mime_object_get_content_type_parameter(top, "report-type");
  if (report_type == nullptr || std::string(report_type) != "feedback-report") return std::nullopt;
  GMimeMultipart* multipart = GMIME_MULTIPART(top);
  if (g_mime_multipart_get_count(multipart) != 3) return std::nullopt;
  GMimeObject* human = g_mime_multipart_get_part(multipart, 0);
  GMimeObject* machine = g_mime_multipart_get_part(multipart, 1);
  GMimeObject* headers = g_mime_multipart_get_part(multipart, 2);
  if (!has_type(human, "text", "plain") || !has_type(machine, "message", "feedback-report") ||
      !has_type(headers, "text", "rfc822-headers") || !GMIME_IS_PART(machine) ||
      !GMIME_IS_PART(headers))
    return std::nullopt;
  ArfMessage arf;
  const char* subject = g_mime_message_get_subject(message.get());
  arf.subject = subject == nullptr ? "" : subject;
  InternetAddressList* to = g_mime_message_get_to(message.get());
  char* to_text = internet_address_list_to_string(to, nullptr, FALSE);
  arf.to = to_text == nullptr ? "" : to_text;
  g_free(to_text);
  arf.fields = parse_fields(content_of(machine));
  arf.headers = content_of(headers);
  return arf;
}

}  // namespace authmilter::report::testing
