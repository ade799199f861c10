// Unit tests of the pure pieces under DkimVerifier: tag lists, line endings, PKCS#1 key
// conversion, reported signature fields and key record fetching.
#include <gtest/gtest.h>

#include "dkim/key_record.h"
#include "dkim/line_endings.h"
#include "dkim/rsa_key_format.h"
#include "dkim/signature_facts.h"
#include "dkim/tag_list.h"
#include "dkim_test_support.h"

namespace authmilter::dkim {
namespace {

std::string p_of(const std::string& record) {
  const auto tags = parse_tag_list(record);
  EXPECT_TRUE(tags.has_value()) << record;
  const std::string* p = tags ? find_tag(*tags, "p") : nullptr;
  return p == nullptr ? "" : strip_whitespace(*p);
}

TEST(TagList, ParsesFoldedListsAndRejectsMalformedOnes) {
  const auto tags = parse_tag_list(" v=1;\r\n\ta = rsa-sha256 ; b=ab\r\n cd;");
  ASSERT_TRUE(tags.has_value());
  ASSERT_EQ(tags->size(), 3u);
  EXPECT_EQ(*find_tag(*tags, "a"), "rsa-sha256");
  EXPECT_EQ(strip_whitespace(*find_tag(*tags, "b")), "abcd");
  EXPECT_EQ(find_tag(*tags, "x"), nullptr);
  EXPECT_FALSE(parse_tag_list("v=1; v=1").has_value());      // duplicate
  EXPECT_FALSE(parse_tag_list("v=1;; a=b").has_value());     // empty spec
  EXPECT_FALSE(parse_tag_list("novalue; a=b").has_value());  // no '='
  EXPECT_FALSE(parse_tag_list("1v=1").has_value());          // name must start with ALPHA
  EXPECT_FALSE(parse_tag_list("v=\x01").has_value());        // control character
  std::string many;
  for (int i = 0; i < 100; ++i) many += "t" + std::to_string(i) + "=x;";
  EXPECT_FALSE(parse_tag_list(many).has_value());  // bounded tag count
  EXPECT_TRUE(parse_tag_list("").has_value());
}

TEST(LineEndings, HeaderValuesGetCrlfFolding) {
  EXPECT_EQ(crlf_header_value(" a\n b\n"), " a\r\n b");
  EXPECT_EQ(crlf_header_value(" a\r\n b\r\n"), " a\r\n b");
  EXPECT_EQ(crlf_header_value(" a\rb"), " a\rb");
}

TEST(LineEndings, BodyCrlfSplitAcrossChunksStaysOneCrlf) {
  BodyNormalizer body;
  std::string out = body.feed(std::span<const char>("a\r", 2));
  EXPECT_EQ(out, "a");
  out += body.feed(std::span<const char>("\nb\n", 3));
  out += body.feed(std::span<const char>("c\r", 2));
  out += body.flush();
  EXPECT_EQ(out, "a\r\nb\r\nc\r");
  BodyNormalizer lone;
  std::string lone_out = lone.feed(std::span<const char>("\r", 1));
  lone_out += lone.feed(std::span<const char>("x", 1));
  EXPECT_EQ(lone_out, "\rx");
}

TEST(RsaKeyFormat, Pkcs1KeyBecomesTheMatchingSubjectPublicKeyInfo) {
  using testing::data_path;
  using testing::key_file_record;
  for (const char* bits : {"1024", "2048"}) {
    const std::string pkcs1 = p_of(key_file_record(
        data_path(std::string("dkimpy/") + bits + "_testkey_wo_markers.pub.rsa.txt")));
    const std::string spki = p_of(
        key_file_record(data_path(std::string("dkimpy/") + bits + "_testkey_wo_markers.pub.txt")));
    ASSERT_FALSE(pkcs1.empty());
    EXPECT_EQ(pkcs1_to_spki_base64(pkcs1), spki) << bits;
    EXPECT_FALSE(pkcs1_to_spki_base64(spki).has_value()) << "SPKI must stay as it is";
  }
  EXPECT_FALSE(pkcs1_to_spki_base64("not base64!").has_value());
  EXPECT_FALSE(pkcs1_to_spki_base64(std::string(8000, 'A')).has_value());
  const std::string spki_record =
      key_file_record(data_path("dkimpy/1024_testkey_wo_markers.pub.txt"));
  EXPECT_EQ(normalize_key_record(spki_record), spki_record);
  const std::string converted = normalize_key_record(
      key_file_record(data_path("dkimpy/1024_testkey_wo_markers.pub.rsa.txt")));
  EXPECT_EQ(p_of(converted), p_of(spki_record));
  EXPECT_EQ(normalize_key_record("k=ed25519; p=AAAA"), "k=ed25519; p=AAAA");
}

// The PKCS#1/SPKI decision reads the DER shape only; anything shaped like PKCS#1 that is not a
// whole RSAPublicKey is left alone (libopendkim then reports it).
TEST(RsaKeyFormat, DerShapesThatAreNotKeysStayUnconverted) {
  EXPECT_FALSE(pkcs1_to_spki_base64("MAMCAQU=").has_value());  // SEQUENCE { INTEGER 5 }
  EXPECT_FALSE(pkcs1_to_spki_base64("MAI=").has_value());      // SEQUENCE, contents missing
  EXPECT_FALSE(pkcs1_to_spki_base64("MIQ=").has_value());      // long length cut short
  EXPECT_FALSE(pkcs1_to_spki_base64("AgEF").has_value());      // bare INTEGER
  EXPECT_FALSE(pkcs1_to_spki_base64("MAYCAQUCAQM=").has_value() &&
               pkcs1_to_spki_base64("MAYCAQUCAQM=")->empty());  // tiny key: never an empty p=
}

TEST(SignatureFacts, ReadsReportedTagsLeniently) {
  const SignatureFacts facts = read_signature_facts(
      " v=1; a=RSA-SHA256; d=Example.COM; s=sel; i=joe=40example.com; l=42; b=abc\r\n def; ;;");
  EXPECT_FALSE(facts.well_formed);
  EXPECT_EQ(facts.domain, "example.com");
  EXPECT_EQ(facts.algorithm, "rsa-sha256");
  EXPECT_EQ(facts.selector, "sel");
  EXPECT_EQ(facts.identity, "joe@example.com");
  EXPECT_EQ(facts.body_length, 42u);
  EXPECT_EQ(facts.signature, "abcdef");
  EXPECT_EQ(read_signature_facts("d=x.org; l=99999999999999999999999").identity, "@x.org");
  EXPECT_FALSE(read_signature_facts("d=x.org; l=99999999999999999999999").body_length.has_value());
  EXPECT_EQ(read_signature_facts("d=" + std::string(5000, 'a')).domain.size(),
            kMaxReportedTagLength);
}

TEST(SignatureFacts, PrefixesGrowUntilUnique) {
  const auto prefixes = signature_prefixes({"ABCDEFGHIJ1", "ABCDEFGHIJ2", "short", "Zzzzzzzzzzzz"});
  EXPECT_EQ(prefixes[0], "ABCDEFGHIJ1");
  EXPECT_EQ(prefixes[1], "ABCDEFGHIJ2");
  EXPECT_EQ(prefixes[2], "short");
  EXPECT_EQ(prefixes[3], "Zzzzzzzz");
}

TEST(KeyRecord, MapsEveryDnsOutcome) {
  dns::ZoneResolver zone;
  zone.add_txt("s._domainkey.ok.example", "v=DKIM1; p=AAAA");
  zone.add_txt("s._domainkey.two.example", "v=DKIM1; p=AAAA");
  zone.add_txt("s._domainkey.two.example", "v=DKIM1; p=BBBB");
  zone.add_name("s._domainkey.empty.example");
  zone.add_failure("s._domainkey.slow.example", dns::RecordType::txt, dns::Outcome::timeout);
  zone.add_failure("s._domainkey.broken.example", dns::RecordType::txt, dns::Outcome::servfail);
  EXPECT_TRUE(fetch_key_record(zone, "s", "ok.example", 1024).found);
  EXPECT_FALSE(fetch_key_record(zone, "s", "ok.example", 8).found);  // longer than the bound
  EXPECT_EQ(fetch_key_record(zone, "s", "two.example", 1024).reason, "multiple key records");
  EXPECT_EQ(fetch_key_record(zone, "s", "empty.example", 1024).reason, "no key");
  EXPECT_EQ(fetch_key_record(zone, "s", "missing.example", 1024).reason, "no key");
  EXPECT_EQ(fetch_key_record(zone, "s", "slow.example", 1024).code, DkimCode::temperror);
  EXPECT_EQ(fetch_key_record(zone, "s", "broken.example", 1024).code, DkimCode::temperror);
  EXPECT_EQ(fetch_key_record(zone, "s", "bad name(.example", 1024).code, DkimCode::permerror);
  EXPECT_EQ(key_query_name("s", std::string(300, 'a')), "");
  EXPECT_EQ(key_query_name("a..b", "example.com"), "");
  const int lookups = zone.lookup_count();
  (void)fetch_key_record(zone, "s", "bad name(.example", 1024);
  EXPECT_EQ(zone.lookup_count(), lookups) << "an invalid name must not be queried";
}

}  // namespace
}  // namespace authmilter::dkim
