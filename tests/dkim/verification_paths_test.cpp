// Verification paths through DkimVerifier: every way a key record or a signature can fail,
// pinned to the code and reason the AR comment shows. The table was first run against the
// libopendkim-decodes-the-key verifier (commit 0394abd's flow) and gives the same answers with
// our own key handling, except where RFC 6376 §6.1.2 makes us stricter (k= must suit a=): those
// cases say so.
#include <gtest/gtest.h>

#include <string>

#include "dkim_test_support.h"

namespace authmilter::dkim::testing {
namespace {

constexpr char kRsaKeyName[] = "brisbane._domainkey.example.com";               // RFC 6376 A.2
constexpr char kEd25519KeyName[] = "brisbane._domainkey.football.example.com";  // RFC 8463
constexpr char kRfc8463RsaKeyName[] = "test._domainkey.football.example.com";

// The p= value of the first record for `name` in a dns-records.txt file.
std::string published_key(const std::string& records_file, const std::string& name) {
  for (const auto& row : read_tsv(data_path(records_file))) {
    if (row.size() < 2 || row[0] != name) continue;
    const std::size_t p = row[1].find("p=");
    if (p != std::string::npos) return row[1].substr(p + 2);
  }
  ADD_FAILURE() << "no key for " << name;
  return {};
}

std::string rsa_key() {
  return published_key("rfc6376/dns-records.txt", kRsaKeyName);
}
std::string ed25519_key() {
  return published_key("rfc8463/dns-records.txt", kEd25519KeyName);
}

struct PathCase {
  const char* id;
  std::string record;
  const char* code;
  const char* reason;
  bool testing = false;
};

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void expect_outcome(const PathCase& c, const DkimResult& result) {
  SCOPED_TRACE(c.id);
  EXPECT_EQ(std::string(to_string(result.code)), c.code) << result.reason;
  EXPECT_EQ(result.reason, c.reason);
  EXPECT_EQ(result.testing_key, c.testing);
}

// RFC 6376 A.2: rsa-sha256, 1024-bit key, d=example.com, i=joe@football.example.com.
std::vector<PathCase> rsa_record_cases() {
  const std::string key = rsa_key();
  const std::string spaced = key.substr(0, 20) + " \t " + key.substr(20);
  return {
      {"plain", "v=DKIM1; p=" + key, "pass", ""},
      {"no-version", "p=" + key, "pass", ""},
      {"whitespace-everywhere", " v = DKIM1 ; p = " + spaced + " ", "pass", ""},
      {"non-base64-characters-skipped", "v=DKIM1; p=" + key + "!!", "pass", ""},
      {"empty-tag-value", "v=DKIM1; n=; p=" + key, "pass", ""},
      {"unknown-version", "v=DKIM2; p=" + key, "permerror", "unknown key version"},
      {"h-sha256", "h=sha256; p=" + key, "pass", ""},
      {"h-upper-case", "h=SHA256; p=" + key, "pass", ""},
      {"h-list", "h=sha1:sha256; p=" + key, "pass", ""},
      {"h-other-hash", "h=sha1; p=" + key, "permerror", "signature-key hash mismatch"},
      {"h-unknown-hash", "h=md5; p=" + key, "permerror", "unknown key hash"},
      {"h-empty", "h=; p=" + key, "permerror", "unknown key hash"},
      {"s-email", "s=email; p=" + key, "pass", ""},
      {"s-star", "s=*; p=" + key, "pass", ""},
      {"s-list", "s=other:EMAIL; p=" + key, "pass", ""},
      {"s-other-service", "s=other; p=" + key, "permerror", "not an e-mail key"},
      {"k-rsa", "k=rsa; p=" + key, "pass", ""},
      {"k-unknown", "k=dsa; p=" + key, "permerror", "unknown key type"},
      // Stricter than libopendkim, which ignored k= and passed: RFC 6376 §6.1.2, a key unsuitable
      // for a= is an error; reported in libopendkim's words for a key it cannot use.
      {"k-ed25519-for-rsa", "k=ed25519; p=" + key, "permerror", "unable to apply public key"},
      // A tag's name is looked up exactly: K= is not k=, which defaults to rsa.
      {"k-upper-case-name", "K=rsa; p=" + key, "pass", ""},
      {"t-testing", "t=y; p=" + key, "pass", "", true},
      {"t-unknown-flag", "t=x; p=" + key, "pass", ""},
      {"t-s-with-i-subdomain", "t=s; p=" + key, "permerror", "key t=s forbids an i= subdomain"},
      {"t-s-and-y", "t=y:s; p=" + key, "permerror", "key t=s forbids an i= subdomain", true},
      {"revoked", "v=DKIM1; p=", "permerror", "key revoked"},
      {"revoked-with-t-y", "v=DKIM1; t=y; p=", "permerror", "key revoked"},
      {"duplicate-p-last-wins-revoked", "p=" + key + "; p=", "permerror", "key revoked"},
      {"duplicate-p-last-wins-key", "p=; p=" + key, "pass", ""},
      {"p-missing", "v=DKIM1", "permerror", "key record syntax error"},
      {"p-one-base64-char", "v=DKIM1; p=A", "permerror", "key record syntax error"},
      {"p-truncated", "v=DKIM1; p=" + key.substr(0, 40), "permerror", "unable to apply public key"},
      {"p-ed25519-key", "v=DKIM1; p=" + ed25519_key(), "permerror", "unable to apply public key"},
      {"trailing-double-semicolon", "v=DKIM1; p=" + key + ";;", "permerror",
       "key record syntax error"},
      {"tag-without-value", "v=DKIM1; p=" + key + "; n", "permerror", "key record syntax error"},
      {"tag-name-with-space", "v=DKIM1; x y=1; p=" + key, "permerror", "key record syntax error"},
      {"tag-name-not-alphanumeric", "_v=DKIM1; p=" + key, "permerror", "key record syntax error"},
      {"control-character", "v=DKIM1;\x01 p=" + key, "permerror", "key record syntax error"},
      {"empty-record", "", "permerror", "key record syntax error"},
  };
}

TEST(VerificationPaths, RsaKeyRecordVariants) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  const std::string raw = read_file(data_path("rfc6376/rfc6376-a2-signed.eml"));
  for (const PathCase& c : rsa_record_cases()) {
    dns::ZoneResolver zone;
    zone.add_txt(kRsaKeyName, c.record);
    const auto results = verify_message(*library, zone, raw, 64);
    ASSERT_EQ(results.size(), 1u) << c.id;
    expect_outcome(c, results[0]);
    if (results[0].code == DkimCode::pass) {
      EXPECT_EQ(results[0].key_bits, 1024u) << c.id;
    }
  }
}

TEST(VerificationPaths, RsaSignatureAndBodyFailures) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  dns::ZoneResolver zone;
  load_tab_records(zone, data_path("rfc6376/dns-records.txt"));
  const std::string raw = read_file(data_path("rfc6376/rfc6376-a2-signed.eml"));
  const PathCase header{"rsa-header-altered", {}, "fail", "signature did not verify"};
  const PathCase body{"rsa-body-altered", {}, "fail", "body hash did not verify"};
  const PathCase b_tag{"rsa-b-altered", {}, "fail", "signature did not verify"};
  for (std::size_t chunk : kChunkSizes) {
    expect_outcome(header,
                   verify_message(*library, zone,
                                  replace_once(raw, "Subject: Is dinner", "Subject: Was"), chunk)
                       .at(0));
    expect_outcome(body, verify_message(*library, zone,
                                        replace_once(raw, "lost the game", "won the game"), chunk)
                             .at(0));
  }
  // One bit of b= changed: still base64, wrong signature.
  expect_outcome(
      b_tag,
      verify_message(*library, zone, replace_once(raw, "b=AuUoFEfD", "b=BuUoFEfD"), 7).at(0));
}

// l= beyond the body is judged by libopendkim at end of message, over whatever the key said.
TEST(VerificationPaths, BodyLengthBeyondTheBodyFailsWhateverTheKey) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  const std::string raw = replace_once(read_file(data_path("rfc6376/rfc6376-a2-signed.eml")),
                                       "s=brisbane;", "s=brisbane; l=99999;");
  const std::string key = rsa_key();
  struct Case {
    std::string record;
    unsigned bits;
  };
  for (const Case& c :
       {Case{"v=DKIM1; p=" + key, 1024}, Case{"v=DKIM1; p=", 0}, Case{"t=s; p=" + key, 1024},
        Case{"h=sha1; p=" + key, 0}, Case{"v=DKIM1; p=" + key.substr(0, 40), 0}}) {
    dns::ZoneResolver zone;
    zone.add_txt(kRsaKeyName, c.record);
    for (std::size_t chunk : kChunkSizes) {
      const auto results = verify_message(*library, zone, raw, chunk);
      ASSERT_EQ(results.size(), 1u);
      EXPECT_EQ(results[0].code, DkimCode::fail) << c.record;
      EXPECT_EQ(results[0].reason, "l= exceeds the body length") << c.record;
      EXPECT_EQ(results[0].key_bits, c.bits) << c.record;
    }
  }
}

// RFC 8463 A.3: ed25519-sha256 (index 0) and rsa-sha256 (index 1) over the same message.
TEST(VerificationPaths, Ed25519Variants) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  const std::string raw = read_file(data_path("rfc8463/rfc8463-a3-signed.eml"));
  const std::string key = ed25519_key();
  const std::string rsa_record =
      "v=DKIM1; k=rsa; p=" + published_key("rfc8463/dns-records.txt", kRfc8463RsaKeyName);
  const std::vector<PathCase> cases = {
      {"ed25519-plain", "v=DKIM1; k=ed25519; p=" + key, "pass", ""},
      {"ed25519-upper-case-k", "v=DKIM1; k=ED25519; p=" + key, "pass", ""},
      // Stricter than libopendkim, which ignored k= and passed (RFC 8463 §4: k=ed25519).
      {"ed25519-k-rsa", "v=DKIM1; k=rsa; p=" + key, "permerror", "unable to apply public key"},
      {"ed25519-no-k", "v=DKIM1; p=" + key, "permerror", "unable to apply public key"},
      {"ed25519-rsa-key", rsa_record, "permerror", "unable to apply public key"},
      {"ed25519-short-key", "v=DKIM1; k=ed25519; p=" + key.substr(0, 20), "permerror",
       "unable to apply public key"},
      {"ed25519-h-sha1", "v=DKIM1; k=ed25519; h=sha1; p=" + key, "permerror",
       "signature-key hash mismatch"},
      {"ed25519-revoked", "v=DKIM1; k=ed25519; p=", "permerror", "key revoked"},
      {"ed25519-testing", "v=DKIM1; k=ed25519; t=y; p=" + key, "pass", "", true},
  };
  for (const PathCase& c : cases) {
    dns::ZoneResolver variant;
    variant.add_txt(kEd25519KeyName, c.record);
    variant.add_txt(kRfc8463RsaKeyName, rsa_record);
    const auto results = verify_message(*library, variant, raw, 64);
    ASSERT_EQ(results.size(), 2u) << c.id;
    expect_outcome(c, results[0]);
    EXPECT_EQ(results[1].code, DkimCode::pass) << c.id;  // the RSA signature is unaffected
    // An Ed25519 key is 256 bits, unless it could not be decoded at all.
    const bool undecodable = results[0].reason == "unable to apply public key";
    EXPECT_EQ(results[0].key_bits, undecodable ? 0u : 256u) << c.id;
  }
}

TEST(VerificationPaths, Ed25519SignatureAndBodyFailures) {
  auto library = make_library();
  ASSERT_NE(library, nullptr);
  dns::ZoneResolver zone;
  load_tab_records(zone, data_path("rfc8463/dns-records.txt"));
  const std::string raw = read_file(data_path("rfc8463/rfc8463-a3-signed.eml"));
  const PathCase header{"ed25519-header-altered", {}, "fail", "signature did not verify"};
  const PathCase body{"ed25519-body-altered", {}, "fail", "body hash did not verify"};
  for (std::size_t chunk : kChunkSizes) {
    const auto altered_header = verify_message(
        *library, zone, replace_once(raw, "Subject: Is dinner", "Subject: Was dinner"), chunk);
    ASSERT_EQ(altered_header.size(), 2u);
    expect_outcome(header, altered_header[0]);
    EXPECT_EQ(altered_header[1].reason, "signature did not verify");
    const auto altered_body =
        verify_message(*library, zone, replace_once(raw, "Joe.", "Jim."), chunk);
    ASSERT_EQ(altered_body.size(), 2u);
    expect_outcome(body, altered_body[0]);
  }
}

}  // namespace
}  // namespace authmilter::dkim::testing
