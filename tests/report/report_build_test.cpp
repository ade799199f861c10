// report_build_test.cpp - XML (validated by xmllint against both XSDs), gzip, MIME, file names.
#include <gmime/gmime.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "record_fixtures.h"
#include "report/aggregate_report.h"
#include "report/gzip.h"
#include "report/record_codec.h"
#include "report/report_mail.h"
#include "report/report_xml.h"

namespace authmilter::report {
namespace {

constexpr std::int64_t kDay1 = 1'700'006'400;
constexpr const char* kDebian7489Xsd = "/usr/share/perl5/auto/share/dist/Mail-DMARC/rua-schema.xsd";

// A scratch directory for this process, removed when the process ends.
struct ScratchDirectory {
  ScratchDirectory() {
    char pattern[] = "/tmp/authmilter-xml-XXXXXX";
    const char* made = mkdtemp(pattern);
    path = made == nullptr ? "" : made;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
  std::string path;
};
const ScratchDirectory kScratchDirectory;
const std::string& kScratch = kScratchDirectory.path;

ReportOptions options_for(ReportFormat format) {
  ReportOptions options;
  options.org_name = "Receiver & Co <test>";
  options.email = "dmarc-reports@receiver.example";
  options.submitter = "receiver.example";
  options.format = format;
  return options;
}

AggregateReport sample_report() {
  std::vector<RecordGroup> rows;
  for (int variant = 0; variant < 6; ++variant) {
    RecordGroup row;
    row.record = testing::sample_record(0, "example.com", variant);
    row.record.queue_id.clear();
    row.policy_key = policy_key(row.record.policy);
    row.count = variant + 1;
    rows.push_back(row);
  }
  rows[1].record.overrides = {{"policy_test_mode", "t=y"}, {"forwarded", ""}};
  rows[2].record.disposition = "pass";
  rows[3].record.spf_scope = "helo";
  rows[4].record.envelope_from.clear();
  rows[4].record.spf_domain.clear();
  rows[5].record.header_from = "bad\xff-utf8.example";
  auto reports = group_reports("receiver.example", {"example.com", kDay1, kDay1 + 86400}, rows);
  EXPECT_EQ(reports.size(), 1u);
  return reports.front();
}

// xmllint's verdict on `xml` against `xsd`; the output names the failing element.
std::pair<int, std::string> validate(const std::string& xml, const std::string& xsd) {
  const std::string file = kScratch + "/report.xml";
  std::ofstream(file) << xml;
  const std::string log = kScratch + "/xmllint.log";
  const std::string command =
      "xmllint --noout --schema '" + xsd + "' '" + file + "' >'" + log + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(log);
  return {status, std::string(std::istreambuf_iterator<char>(in), {})};
}

// The RFC 7489 XSD without targetNamespace, as the data README explains (not redistributed).
std::string rfc7489_xsd() {
  const std::string adjusted = kScratch + "/rfc7489-rua-schema.xsd";
  std::ifstream in(kDebian7489Xsd);
  if (!in) return "";
  std::string text(std::istreambuf_iterator<char>(in), {});
  const std::string attribute = "targetNamespace=\"http://dmarc.org/dmarc-xml/0.1\"";
  const auto at = text.find(attribute);
  if (at == std::string::npos) return "";
  text.erase(at, attribute.size());
  std::ofstream(adjusted) << text;
  return adjusted;
}

TEST(ReportXml, Rfc9990ReportValidatesAgainstTheDraft32Schema) {
  auto xml = write_report_xml(sample_report(), options_for(ReportFormat::rfc9990));
  ASSERT_TRUE(xml.ok()) << xml.error();
  const auto [status, log] =
      validate(*xml, std::string(AUTHMILTER_TEST_DATA) +
                         "/dmarc-report/dmarc-xml-0.2.draft-ietf-dmarc-aggregate-reporting-32.xsd");
  EXPECT_EQ(status, 0) << log << *xml;
  EXPECT_NE(xml->find("xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\""), std::string::npos);
  EXPECT_NE(xml->find("<discovery_method>treewalk</discovery_method>"), std::string::npos);
  EXPECT_NE(xml->find("<np>reject</np>"), std::string::npos);
  EXPECT_NE(xml->find("<testing>n</testing>"), std::string::npos);
  EXPECT_NE(xml->find("<selector>sel1</selector>"), std::string::npos);
  EXPECT_NE(xml->find("<type>policy_test_mode</type>"), std::string::npos);
  EXPECT_NE(xml->find("<disposition>pass</disposition>"), std::string::npos);
  EXPECT_NE(xml->find("Receiver &amp; Co &lt;test&gt;"), std::string::npos);
  EXPECT_NE(xml->find("<end>1700092799</end>"), std::string::npos);
}

TEST(ReportXml, Rfc7489ReportValidatesAgainstTheAppendixCSchema) {
  const std::string xsd = rfc7489_xsd();
  ASSERT_FALSE(xsd.empty()) << "install libmail-dmarc-perl for " << kDebian7489Xsd;
  auto xml = write_report_xml(sample_report(), options_for(ReportFormat::rfc7489));
  ASSERT_TRUE(xml.ok()) << xml.error();
  const auto [status, log] = validate(*xml, xsd);
  EXPECT_EQ(status, 0) << log << *xml;
  EXPECT_EQ(xml->find("xmlns"), std::string::npos);
  EXPECT_NE(xml->find("<pct>100</pct>"), std::string::npos);
  EXPECT_NE(xml->find("<source_ip>2001:db8:0:0:0:0:0:25</source_ip>"), std::string::npos);
  EXPECT_NE(xml->find("<scope>helo</scope>"), std::string::npos);
  EXPECT_EQ(xml->find("<disposition>pass</disposition>"), std::string::npos);
  EXPECT_NE(xml->find("<comment>policy_test_mode: t=y</comment>"), std::string::npos);
}

TEST(ReportXml, ABrokenReportFailsValidation) {  // the validation step can fail
  auto xml = write_report_xml(sample_report(), options_for(ReportFormat::rfc9990));
  ASSERT_TRUE(xml.ok());
  std::string broken = *xml;
  broken.replace(broken.find("<p>reject</p>"), 13, "<p>maybe</p>");
  const auto [status, log] = validate(
      broken, std::string(AUTHMILTER_TEST_DATA) +
                  "/dmarc-report/dmarc-xml-0.2.draft-ietf-dmarc-aggregate-reporting-32.xsd");
  EXPECT_NE(status, 0) << log;
}

TEST(ReportId, IsStableAndDistinguishesPoliciesAndLaterRows) {
  const ReportSlot slot{"example.com", kDay1, kDay1 + 86400};
  EXPECT_EQ(report_id_for("r.example", slot, "k1", 7), report_id_for("r.example", slot, "k1", 7));
  EXPECT_NE(report_id_for("r.example", slot, "k1", 7), report_id_for("r.example", slot, "k2", 7));
  EXPECT_NE(report_id_for("r.example", slot, "k1", 7), report_id_for("r.example", slot, "k1", 9));
  const std::string id = report_id_for("r.example", slot, "k1", 7);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
}

TEST(Gzip, RoundTripsAndRejectsGarbage) {
  const std::string text(100000, 'x');
  auto packed = gzip(text + "end");
  ASSERT_TRUE(packed.ok());
  EXPECT_EQ(static_cast<unsigned char>((*packed)[0]), 0x1f);  // RFC 1952 ID1 ID2
  EXPECT_EQ(static_cast<unsigned char>((*packed)[1]), 0x8b);
  auto unpacked = gunzip(*packed);
  ASSERT_TRUE(unpacked.ok()) << unpacked.error();
  EXPECT_EQ(*unpacked, text + "end");
  EXPECT_FALSE(gunzip("not gzip at all").ok());
  EXPECT_FALSE(gunzip(packed->substr(0, packed->size() / 2)).ok());
  EXPECT_FALSE(gunzip(*packed, 1000).ok());  // bomb bound
}

TEST(ReportMail, HasTheRfcSubjectFileNameAndAttachment) {
  const auto report = sample_report();
  const auto options = options_for(ReportFormat::rfc9990);
  auto xml = write_report_xml(report, options);
  ASSERT_TRUE(xml.ok());
  auto gz = gzip(*xml);
  ASSERT_TRUE(gz.ok());
  auto mail = build_report_mail(report, options, *gz, "dmarc@example.com", kDay1 + 90000);
  ASSERT_TRUE(mail.ok()) << mail.error();

  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(mail->data(), mail->size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(std::string(g_mime_message_get_subject(message)),
            "Report Domain: example.com Submitter: receiver.example Report-ID: <" +
                report.report_id + ">");
  GMimeObject* body = g_mime_message_get_mime_part(message);
  ASSERT_TRUE(GMIME_IS_MULTIPART(body));
  ASSERT_EQ(g_mime_multipart_get_count(GMIME_MULTIPART(body)), 2);
  GMimeObject* second = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
  ASSERT_TRUE(GMIME_IS_PART(second));
  GMimePart* part = GMIME_PART(second);
  EXPECT_EQ(std::string(g_mime_part_get_filename(part)),
            "receiver.example!example.com!1700006400!1700092799!" + report.report_id + ".xml.gz");
  GMimeStream* out = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(part), out);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
  auto decoded = gunzip(std::string(reinterpret_cast<const char*>(bytes->data), bytes->len));
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(*decoded, *xml);
  g_object_unref(out);
  g_object_unref(message);
  g_object_unref(parser);
  g_object_unref(stream);
  EXPECT_NE(mail->find("To: dmarc@example.com"), std::string::npos);
}

}  // namespace
}  // namespace authmilter::report
