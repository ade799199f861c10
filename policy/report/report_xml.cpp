// report_xml.cpp - xmlTextWriter output of both report formats; see report_xml.h.
#include "report/report_xml.h"

#include <arpa/inet.h>
#include <libxml/xmlwriter.h>

#include <cstdio>
#include <initializer_list>

#include "common/c_handle.h"
#include "report/utf8_text.h"

namespace authmilter::report {

namespace {

using XmlBuffer = CHandle<xmlBuffer, xmlBufferFree>;
using XmlWriter = CHandle<xmlTextWriter, xmlFreeTextWriter>;

const xmlChar* x(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

std::string one_of(const std::string& value, std::initializer_list<const char*> allowed,
                   const char* fallback) {
  for (const char* word : allowed)
    if (value == word) return value;
  return fallback;
}

// The RFC 7489 schema's IPAddress pattern matches only the full 8-group IPv6 form.
std::string expanded_ipv6(const std::string& text) {
  unsigned char bytes[16];
  if (text.find(':') == std::string::npos || inet_pton(AF_INET6, text.c_str(), bytes) != 1)
    return text;
  if (text.find('.') != std::string::npos) return text;  // v4-mapped: leave as published
  char out[40];
  std::snprintf(out, sizeof out, "%x:%x:%x:%x:%x:%x:%x:%x", bytes[0] << 8 | bytes[1],
                bytes[2] << 8 | bytes[3], bytes[4] << 8 | bytes[5], bytes[6] << 8 | bytes[7],
                bytes[8] << 8 | bytes[9], bytes[10] << 8 | bytes[11], bytes[12] << 8 | bytes[13],
                bytes[14] << 8 | bytes[15]);
  return out;
}

class Writer {
 public:
  Writer(xmlTextWriter* writer, bool rfc7489) : writer_(writer), rfc7489_(rfc7489) {}
  bool rfc7489() const { return rfc7489_; }
  bool failed() const { return failed_; }
  void check(int rc) { failed_ = failed_ || rc < 0; }
  void start(const char* name) { check(xmlTextWriterStartElement(writer_, x(name))); }
  void end() { check(xmlTextWriterEndElement(writer_)); }
  void element(const char* name, const std::string& value) {
    check(xmlTextWriterWriteElement(writer_, x(name), x(utf8_or_ascii(value).c_str())));
  }
  xmlTextWriter* raw() { return writer_; }

 private:
  xmlTextWriter* writer_;
  bool rfc7489_;
  bool failed_ = false;
};

void write_metadata(Writer& w, const AggregateReport& report, const ReportOptions& options) {
  w.start("report_metadata");
  w.element("org_name", options.org_name);
  w.element("email", options.email);
  if (!options.extra_contact_info.empty())
    w.element("extra_contact_info", options.extra_contact_info);
  w.element("report_id", report.report_id);
  w.start("date_range");
  w.element("begin", std::to_string(report.slot.begin));
  // RFC 9990 §3.1.1.4 / RFC 7489 Appendix C: the last second covered, inclusive.
  w.element("end", std::to_string(report.slot.end - 1));
  w.end();
  if (!w.rfc7489()) w.element("generator", kGenerator);
  w.end();
}

void write_policy(Writer& w, const PublishedPolicy& policy) {
  const auto disposition = [](const std::string& value, const char* fallback) {
    return one_of(value, {"none", "quarantine", "reject"}, fallback);
  };
  const std::string p = disposition(policy.p, "none");
  w.start("policy_published");
  w.element("domain", policy.domain);
  w.element("adkim", one_of(policy.adkim, {"r", "s"}, "r"));
  w.element("aspf", one_of(policy.aspf, {"r", "s"}, "r"));
  w.element("p", p);
  if (w.rfc7489()) {
    w.element("sp", disposition(policy.sp, p.c_str()));
    w.element("pct", std::to_string(policy.pct));
    w.element("fo", policy.fo.empty() ? "0" : policy.fo);
  } else {
    if (!policy.sp.empty()) w.element("sp", disposition(policy.sp, p.c_str()));
    if (!policy.np.empty()) w.element("np", disposition(policy.np, p.c_str()));
    w.element("discovery_method", one_of(policy.discovery, {"psl", "treewalk"}, "treewalk"));
    w.element("fo", policy.fo.empty() ? "0" : policy.fo);
    w.element("testing", policy.testing ? "y" : "n");
  }
  w.end();
}

void write_reason(Writer& w, const PolicyOverrideEntry& reason) {
  std::string type = w.rfc7489() ? one_of(reason.type,
                                          {"forwarded", "sampled_out", "trusted_forwarder",
                                           "mailing_list", "local_policy", "other"},
                                          "other")
                                 : one_of(reason.type,
                                          {"local_policy", "mailing_list", "other",
                                           "policy_test_mode", "trusted_forwarder"},
                                          "other");
  std::string comment = reason.comment;
  if (type != reason.type) comment = reason.type + (comment.empty() ? "" : ": " + comment);
  w.start("reason");
  w.element("type", type);
  if (!comment.empty()) w.element("comment", comment);
  w.end();
}

void write_row(Writer& w, const RecordGroup& row) {
  const ReportRecord& r = row.record;
  w.start("row");
  w.element("source_ip", w.rfc7489() ? expanded_ipv6(r.source_ip) : r.source_ip);
  w.element("count", std::to_string(row.count));
  w.start("policy_evaluated");
  std::string disposition = one_of(r.disposition, {"none", "pass", "quarantine", "reject"}, "none");
  if (w.rfc7489() && disposition == "pass") disposition = "none";
  w.element("disposition", disposition);
  w.element("dkim", one_of(r.dkim_aligned, {"pass"}, "fail"));
  w.element("spf", one_of(r.spf_aligned, {"pass"}, "fail"));
  for (const auto& reason : r.overrides) write_reason(w, reason);
  w.end();
  w.end();
}

void write_identifiers(Writer& w, const ReportRecord& r) {
  w.start("identifiers");
  if (r.envelope_to.size() == 1) w.element("envelope_to", r.envelope_to.front());
  if (!r.envelope_from.empty() || w.rfc7489()) w.element("envelope_from", r.envelope_from);
  w.element("header_from", r.header_from);
  w.end();
}

void write_auth_results(Writer& w, const ReportRecord& r) {
  w.start("auth_results");
  for (const auto& dkim : r.dkim) {
    w.start("dkim");
    w.element("domain", dkim.domain);
    w.element("selector", dkim.selector);
    w.element(
        "result",
        one_of(dkim.result, {"none", "pass", "fail", "policy", "neutral", "temperror", "permerror"},
               "permerror"));
    w.end();
  }
  const std::string spf_domain = r.spf_domain.empty() ? r.envelope_from : r.spf_domain;
  if (!spf_domain.empty() || w.rfc7489()) {
    w.start("spf");
    w.element("domain", spf_domain);
    if (w.rfc7489())
      w.element("scope", one_of(r.spf_scope, {"helo", "mfrom"}, "mfrom"));
    else if (r.spf_scope == "mfrom")
      w.element("scope", "mfrom");  // RFC 9990 knows only the mfrom scope
    // RFC 8601 §2.7.2 words; "policy" exists only in RFC 9990's vocabulary.
    const std::string result =
        w.rfc7489()
            ? one_of(r.spf_result,
                     {"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"},
                     r.spf_result == "policy" ? "neutral" : "permerror")
            : one_of(r.spf_result,
                     {"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror",
                      "policy"},
                     "permerror");
    w.element("result", result);
    w.end();
  }
  w.end();
}

}  // namespace

Result<std::string> write_report_xml(const AggregateReport& report, const ReportOptions& options) {
  XmlBuffer buffer(xmlBufferCreate());
  if (!buffer) return Error{"xml: out of memory"};
  XmlWriter writer(xmlNewTextWriterMemory(buffer.get(), 0));
  if (!writer) return Error{"xml: cannot create writer"};
  const bool rfc7489 = options.format == ReportFormat::rfc7489;
  Writer w(writer.get(), rfc7489);
  w.check(xmlTextWriterSetIndent(w.raw(), 1));
  w.check(xmlTextWriterStartDocument(w.raw(), nullptr, "UTF-8", nullptr));
  if (rfc7489)
    w.start("feedback");
  else
    w.check(xmlTextWriterStartElementNS(w.raw(), nullptr, x("feedback"), x(kDmarc2Namespace)));
  w.element("version", "1.0");
  write_metadata(w, report, options);
  write_policy(w, report.policy);
  for (const auto& row : report.rows) {
    w.start("record");
    write_row(w, row);
    write_identifiers(w, row.record);
    write_auth_results(w, row.record);
    w.end();
  }
  w.check(xmlTextWriterEndDocument(w.raw()));
  writer.reset();  // flushes into the buffer
  if (w.failed()) return Error{"xml: libxml2 failed writing report " + report.report_id};
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
                     static_cast<std::size_t>(xmlBufferLength(buffer.get())));
}

}  // namespace authmilter::report
