// check_key_record: the record-level rules, directly (the verification-path table covers them
// end to end). Includes the one place we are stricter than libopendkim: k= must suit a=.
#include "dkim/key_record_check.h"

#include <gtest/gtest.h>

namespace authmilter::dkim {
namespace {

// 32 bytes of base64, decodes to 24 bytes: enough to tell "decoded" from "rejected" here.
constexpr char kKey[] = "MIGfMA0GCSqGSIb3DQEBAQUAA4GN";

TEST(KeyRecordCheck, UsableRecordCarriesKeyAndFlags) {
  const auto check =
      check_key_record(std::string("v=DKIM1; t=y:s; p=") + kKey, DKIM_SIGN_RSASHA256);
  EXPECT_EQ(check.error, DKIM_SIGERROR_OK);
  EXPECT_EQ(check.type, KeyType::rsa);
  EXPECT_EQ(check.key_data.size(), 21u);
  EXPECT_TRUE(check.testing);
  EXPECT_TRUE(check.same_domain_only);
}

TEST(KeyRecordCheck, ErrorsInLibopendkimOrder) {
  struct Case {
    const char* record;
    dkim_alg_t algorithm;
    int error;
  };
  const std::string p = std::string("p=") + kKey;
  const Case cases[] = {
      {"", DKIM_SIGN_RSASHA256, DKIM_SIGERROR_DNSSYNTAX},
      {"v=DKIM1; h=sha256; p", DKIM_SIGN_RSASHA256, DKIM_SIGERROR_DNSSYNTAX},
      // v= is judged before h=, h= before s=, s= before k=, k= before p=.
      {"v=DKIM2; h=md5; s=x; k=x; p=", DKIM_SIGN_RSASHA256, DKIM_SIGERROR_KEYVERSION},
      {"h=md5; s=x; k=x; p=", DKIM_SIGN_RSASHA256, DKIM_SIGERROR_KEYUNKNOWNHASH},
      {"h=sha256; s=x; p=", DKIM_SIGN_RSASHA1, DKIM_SIGERROR_KEYHASHMISMATCH},
      {"s=x; k=x; p=", DKIM_SIGN_RSASHA256, DKIM_SIGERROR_NOTEMAILKEY},
      {"k=x; p=", DKIM_SIGN_RSASHA256, DKIM_SIGERROR_KEYTYPEUNKNOWN},
      {"v=DKIM1; p=", DKIM_SIGN_RSASHA256, DKIM_SIGERROR_KEYREVOKED},
      {"v=DKIM1; p=A", DKIM_SIGN_RSASHA256, DKIM_SIGERROR_DNSSYNTAX},
      {"v=DKIM1", DKIM_SIGN_RSASHA256, DKIM_SIGERROR_DNSSYNTAX},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(check_key_record(c.record, c.algorithm).error, c.error) << c.record;
  }
  // libopendkim read the record as a C string: a NUL ends it.
  using namespace std::string_view_literals;
  EXPECT_EQ(check_key_record("v=DKIM1; p=\0garbage"sv, DKIM_SIGN_RSASHA256).error,
            DKIM_SIGERROR_KEYREVOKED);
}

TEST(KeyRecordCheck, KeyTypeMustSuitTheSignatureAlgorithm) {
  const std::string p = std::string("; p=") + kKey;
  EXPECT_EQ(check_key_record("k=ed25519" + p, DKIM_SIGN_ED25519SHA256).error, DKIM_SIGERROR_OK);
  EXPECT_EQ(check_key_record("k=ed25519" + p, DKIM_SIGN_RSASHA256).error, DKIM_SIGERROR_KEYDECODE);
  EXPECT_EQ(check_key_record("k=rsa" + p, DKIM_SIGN_ED25519SHA256).error, DKIM_SIGERROR_KEYDECODE);
  // Stricter than libopendkim, which ignored k= and tried the raw bytes as Ed25519: k= defaults
  // to rsa (RFC 6376 §3.6.1), and RFC 8463 §4 requires k=ed25519 for Ed25519 keys.
  EXPECT_EQ(check_key_record("v=DKIM1" + p, DKIM_SIGN_ED25519SHA256).error,
            DKIM_SIGERROR_KEYDECODE);
}

TEST(KeyRecordCheck, TagNamesAsLibopendkimReadThem) {
  const std::string p = std::string("p=") + kKey;
  // Repeated tags: the last value wins (names compared ignoring case)...
  EXPECT_EQ(check_key_record(p + "; p=", DKIM_SIGN_RSASHA256).error, DKIM_SIGERROR_KEYREVOKED);
  EXPECT_EQ(check_key_record("p=; " + p, DKIM_SIGN_RSASHA256).error, DKIM_SIGERROR_OK);
  // ...if the first character is the same: K= is another tag than k= (which defaults to rsa),
  // and tags are looked up by exact name, so V= is no version.
  EXPECT_EQ(check_key_record("K=ed25519; " + p, DKIM_SIGN_RSASHA256).error, DKIM_SIGERROR_OK);
  EXPECT_EQ(check_key_record("V=DKIM2; " + p, DKIM_SIGN_RSASHA256).error, DKIM_SIGERROR_OK);
  EXPECT_EQ(check_key_record("vX=1; vx=2; v=DKIM2; " + p, DKIM_SIGN_RSASHA256).error,
            DKIM_SIGERROR_KEYVERSION);
  EXPECT_EQ(check_key_record(p + ";;", DKIM_SIGN_RSASHA256).error, DKIM_SIGERROR_DNSSYNTAX);
  EXPECT_EQ(check_key_record(p + "; x\xff=1", DKIM_SIGN_RSASHA256).error, DKIM_SIGERROR_DNSSYNTAX);
}

}  // namespace
}  // namespace authmilter::dkim
