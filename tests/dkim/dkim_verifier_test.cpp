// Unit tests of DkimVerifier: outcomes the conformance suites do not pin down (DNS failures,
// limits, hostile headers, reported fields, RFC 6376 time tags).
#include "dkim/dkim_verifier.h"

#include <gtest/gtest.h>

#include <string>

#include "dkim_test_support.h"

namespace authmilter::dkim::testing {
namespace {

constexpr char kKeyName[] = "brisbane._domainkey.example.com";

std::string signed_example() {
  return read_file(data_path("rfc6376/rfc6376-a2-signed.eml"));
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class DkimVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    library_ = make_library();
    ASSERT_NE(library_, nullptr);
    load_tab_records(zone_, data_path("rfc6376/dns-records.txt"));
  }
  std::vector<DkimResult> verify(const std::string& raw, std::size_t chunk = 7) {
    return verify_message(*library_, zone_, raw, chunk);
  }

  std::unique_ptr<DkimLibrary> library_;
  dns::ZoneResolver zone_;
};

TEST_F(DkimVerifierTest, UnsignedMessageGivesNoResults) {
  EXPECT_TRUE(verify(read_file(data_path("rfc6376/rfc6376-a1-unsigned.eml"))).empty());
}

TEST_F(DkimVerifierTest, PassReportsTheSignatureFields) {
  const auto results = verify(signed_example());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::pass);
  EXPECT_EQ(results[0].domain, "example.com");
  EXPECT_EQ(results[0].selector, "brisbane");
  EXPECT_EQ(results[0].identity, "joe@football.example.com");
  EXPECT_EQ(results[0].algorithm, "rsa-sha256");
  EXPECT_EQ(results[0].key_bits, 1024u);
  EXPECT_EQ(results[0].signature_prefix.size(), 8u);
  EXPECT_FALSE(results[0].body_length.has_value());
  EXPECT_FALSE(results[0].testing_key);
  EXPECT_TRUE(results[0].reason.empty());
}

TEST_F(DkimVerifierTest, BareLfMessageStillPasses) {
  std::string raw = signed_example();
  std::erase(raw, '\r');
  for (std::size_t chunk : kChunkSizes) EXPECT_EQ(codes_of(verify(raw, chunk)), "pass") << chunk;
}

TEST_F(DkimVerifierTest, AlteredBodyFails) {
  const auto results = verify(replace_once(signed_example(), "lost the game", "won the game"));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::fail);
  EXPECT_EQ(results[0].reason, "body hash did not verify");
}

TEST_F(DkimVerifierTest, AlteredSignedHeaderFails) {
  const auto results =
      verify(replace_once(signed_example(), "Subject: Is dinner", "Subject: Was dinner"));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::fail);
  EXPECT_EQ(results[0].reason, "signature did not verify");
}

TEST_F(DkimVerifierTest, KeyLookupFailuresAreTemperrorOrPermerror) {
  struct Case {
    dns::Outcome outcome;
    DkimCode code;
  };
  for (const Case c : {Case{dns::Outcome::timeout, DkimCode::temperror},
                       Case{dns::Outcome::servfail, DkimCode::temperror}}) {
    dns::ZoneResolver zone;
    zone.add_failure(kKeyName, dns::RecordType::txt, c.outcome);
    const auto results = verify_message(*library_, zone, signed_example(), 7);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].code, c.code) << dns::to_string(c.outcome) << results[0].reason;
  }
  dns::ZoneResolver empty;  // NXDOMAIN
  const auto results = verify_message(*library_, empty, signed_example(), 7);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::permerror);
  EXPECT_EQ(results[0].reason, "no key");
}

TEST_F(DkimVerifierTest, GarbageKeyRecordsArePermerror) {
  for (const char* record : {"v=DKIM1; p=!!!!not-base64!!!!", "garbage;;;==", "v=DKIM1; k=rsa; p=",
                             "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP", ""}) {
    dns::ZoneResolver zone;
    zone.add_txt(kKeyName, record);
    const auto results = verify_message(*library_, zone, signed_example(), 7);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].code, DkimCode::permerror) << record << ": " << results[0].reason;
  }
  dns::ZoneResolver zone;
  zone.add_txt(kKeyName, "v=DKIM1; p=" + std::string(5000, 'A'));
  const auto results = verify_message(*library_, zone, signed_example(), 7);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::permerror);
  EXPECT_EQ(results[0].reason, "key record too long");
}

TEST_F(DkimVerifierTest, TestingKeyIsReported) {
  const auto rows = read_tsv(data_path("rfc6376/dns-records.txt"));
  ASSERT_EQ(rows.size(), 1u);
  dns::ZoneResolver zone;
  zone.add_txt(kKeyName, "t=y; " + rows[0][1]);
  const auto results = verify_message(*library_, zone, signed_example(), 7);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::pass);
  EXPECT_TRUE(results[0].testing_key);
}

TEST_F(DkimVerifierTest, KeyAnswerCutAtASizeBoundIsPermerrorNeverPass) {
  // The real key, whole, but in an answer a resolver bound cut (dns.max_txt_bytes /
  // dns.max_answer_records): the verifier cannot know that, so it must not verify with it.
  const auto rows = read_tsv(data_path("rfc6376/dns-records.txt"));
  ASSERT_EQ(rows.size(), 1u);
  dns::ZoneResolver zone;
  zone.add_txt(kKeyName, rows[0][1]);
  ASSERT_EQ(verify_message(*library_, zone, signed_example(), 7).at(0).code, DkimCode::pass);
  zone.add_truncation(kKeyName, dns::RecordType::txt);
  const auto results = verify_message(*library_, zone, signed_example(), 7);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::permerror);
  EXPECT_EQ(results[0].reason, "key record too long");
}

TEST_F(DkimVerifierTest, ExpiredAndFutureSignaturesArePermerror) {
  const auto expired =
      verify(replace_once(signed_example(), "s=brisbane;", "s=brisbane; x=1000000000;"));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].code, DkimCode::permerror);
  EXPECT_EQ(expired[0].reason, "signature expired (x=)");
  const auto future =
      verify(replace_once(signed_example(), "s=brisbane;", "s=brisbane; t=4102444800;"));
  ASSERT_EQ(future.size(), 1u);
  EXPECT_EQ(future[0].code, DkimCode::permerror);
  EXPECT_EQ(future[0].reason, "signature timestamp in the future (t=)");
}

TEST_F(DkimVerifierTest, BodyLengthIsVerifiedAndReported) {
  const auto too_long =
      verify(replace_once(signed_example(), "s=brisbane;", "s=brisbane; l=99999;"));
  ASSERT_EQ(too_long.size(), 1u);
  EXPECT_EQ(too_long[0].code, DkimCode::fail);
  EXPECT_EQ(too_long[0].body_length, 99999u);
  dns::ZoneResolver zone;
  zone.add_txt("test._domainkey.example.com", key_file_record(data_path("dkimpy/test.txt")));
  const auto with_l = verify_message(
      *library_, zone, read_file(data_path("dkimpy/generated/rsa-test-l-tag.eml")), 7);
  ASSERT_EQ(with_l.size(), 1u);
  EXPECT_EQ(with_l[0].code, DkimCode::pass);
  EXPECT_TRUE(with_l[0].body_length.has_value());
}

TEST_F(DkimVerifierTest, DuplicateTagIsPermerror) {
  const auto results =
      verify(replace_once(signed_example(), "s=brisbane;", "s=brisbane; s=brisbane;"));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::permerror);
}

TEST_F(DkimVerifierTest, HugeSignatureHeaderIsPermerrorWithoutCrash) {
  const std::string huge =
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=brisbane; h=from; bh=" +
      std::string(100 * 1024, 'A') + "; b=AAAA\r\n";
  const auto results = verify(huge + signed_example());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].code, DkimCode::permerror);
  EXPECT_EQ(results[0].reason, "signature header field too long");
  EXPECT_EQ(results[0].domain, "example.com");
  EXPECT_EQ(results[1].code, DkimCode::pass);
}

TEST_F(DkimVerifierTest, EightBitGarbageSignatureIsPermerror) {
  const std::string garbage = "DKIM-Signature: v=1; d=\xff\xfe; s=\x01\x02; b=; ;;; ===\r\n";
  const auto results = verify(garbage + signed_example());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].code, DkimCode::permerror);
  EXPECT_EQ(results[1].code, DkimCode::pass);
}

TEST_F(DkimVerifierTest, TooManyHeaderFieldsMakeEverySignaturePermerror) {
  std::string flood;
  for (std::size_t i = 0; i < kMaxHeaderFields; ++i)
    flood += "X-Flood: " + std::to_string(i) + "\r\n";
  const auto results = verify(flood + signed_example(), 65536);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::permerror);
}

TEST(DkimVerifierLimits, SignaturesBeyondTheLimitAreNotVerified) {
  dns::ZoneResolver zone;
  load_tab_records(zone, data_path("rfc8463/dns-records.txt"));
  const std::string raw = read_file(data_path("rfc8463/rfc8463-a3-signed.eml"));
  DkimOptions one;
  one.max_signatures = 1;
  auto library = make_library(one);
  ASSERT_NE(library, nullptr);
  const auto results = verify_message(*library, zone, raw, 7);
  EXPECT_EQ(codes_of(results), "pass,policy");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].reason, "not verified: more than 1 signatures");
  DkimOptions none;
  none.max_signatures = 0;
  auto strict = make_library(none);
  ASSERT_NE(strict, nullptr);
  EXPECT_EQ(codes_of(verify_message(*strict, zone, raw, 7)), "policy,policy");
}

// Signatures past the bound are never handed to libopendkim, which would otherwise set up a
// body hash for each (distinct l= values share none): they are listed, as policy, and the
// verified ones keep their own results.
TEST(DkimVerifierLimits, ManySignaturesBeyondTheLimitAreListedNotVerified) {
  dns::ZoneResolver zone;
  load_tab_records(zone, data_path("rfc8463/dns-records.txt"));
  std::string flood;
  for (int i = 0; i < 200; ++i)
    flood += "DKIM-Signature: v=1; a=rsa-sha256; d=x" + std::to_string(i) +
             ".example; s=s; h=from; bh=AAAA; b=AAAA; l=" + std::to_string(1000 + i) + "\r\n";
  const std::string raw = read_file(data_path("rfc8463/rfc8463-a3-signed.eml"));
  DkimOptions three;
  three.max_signatures = 3;
  auto library = make_library(three);
  ASSERT_NE(library, nullptr);
  const auto results = verify_message(*library, zone, raw, 7);
  ASSERT_EQ(codes_of(results), "pass,pass");
  const std::size_t body = raw.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  std::string flooded = raw;
  flooded.insert(body + 2, flood);
  const auto flooded_results = verify_message(*library, zone, flooded, 4096);
  ASSERT_EQ(flooded_results.size(), 202u);
  EXPECT_EQ(flooded_results[0].code, DkimCode::pass);
  EXPECT_EQ(flooded_results[1].code, DkimCode::pass);
  EXPECT_EQ(flooded_results[2].domain, "x0.example");
  EXPECT_NE(flooded_results[2].code, DkimCode::pass);
  EXPECT_NE(flooded_results[2].code, DkimCode::policy);
  for (std::size_t i = 3; i < flooded_results.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(flooded_results[i].code, DkimCode::policy);
    EXPECT_EQ(flooded_results[i].reason, "not verified: more than 3 signatures");
    EXPECT_EQ(flooded_results[i].domain, "x" + std::to_string(i - 2) + ".example");
  }
}

// libopendkim takes "DKIM-Signature :" for a signature; so do we, or the results would be paired
// with the wrong fields (one signer's pass reported under another's d= and s=).
TEST(DkimVerifierLimits, BlankBeforeTheColonStillNamesASignature) {
  dns::ZoneResolver zone;
  load_tab_records(zone, data_path("rfc8463/dns-records.txt"));
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  std::string raw = read_file(data_path("rfc8463/rfc8463-a3-signed.eml"));
  raw.replace(raw.find("DKIM-Signature:"), 15, "DKIM-Signature :");
  const auto results = verify_message(*library, zone, raw, 7);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].selector, "brisbane");
  EXPECT_EQ(results[1].selector, "test");
  EXPECT_EQ(results[1].code, DkimCode::pass);
}

TEST(DkimVerifierLimits, ShortRsaKeyIsPolicyWithTheKeySize) {
  DkimOptions sha1_ok;
  sha1_ok.accept_rsa_sha1 = true;
  auto library = make_library(sha1_ok);
  ASSERT_NE(library, nullptr);
  dns::ZoneResolver zone;
  load_fake_dns(zone, data_path("mail-dkim/FAKE_DNS.dat"));
  const auto results =
      verify_message(*library, zone, read_file(data_path("mail-dkim/corpus/goodkey_1.txt")), 7);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code, DkimCode::policy);
  EXPECT_EQ(results[0].reason, "1024-bit minimum (RFC 8301), key has 512");
  EXPECT_EQ(results[0].key_bits, 512u);
}

TEST(DkimVerifierLifecycle, FinishTwiceAndLateCallsAreHarmless) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  dns::ZoneResolver zone;
  DkimVerifier verifier(*library, zone);
  verifier.add_header("From", " a@example.com");
  verifier.add_body(std::span<const char>("x\r\n", 3));  // implies end_of_headers()
  EXPECT_TRUE(verifier.finish().empty());
  verifier.add_header("DKIM-Signature", " v=1");
  EXPECT_TRUE(verifier.finish().empty());
  DkimVerifier moved = std::move(verifier);
  EXPECT_TRUE(moved.finish().empty());
}

}  // namespace
}  // namespace authmilter::dkim::testing
