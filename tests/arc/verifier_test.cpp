// ArcVerifier end to end on chains sealed by the test sealer (arc_signer_support.h): pass for
// 1..3 hops with RSA and Ed25519, oldest-pass, t=/x= rules, key failures (no key, SERVFAIL,
// rsa-sha1, 512-bit RSA), bounds (field length, header count, body hashers, 50 instances), and
// the same answer whatever the body chunking.
#include <gtest/gtest.h>

#include <string>

#include "arc/arc_verifier.h"
#include "arc_signer_support.h"
#include "arc_test_support.h"
#include "dns/zone_resolver.h"

namespace authmilter::arc::testing {
namespace {

constexpr std::time_t kNow = 1483228800;  // t= of the test sealer is 800 s earlier

class ArcVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(make_rsa_key(1024));
    ed_ = new TestKey(make_ed25519_key());
    short_ = new TestKey(make_rsa_key(512));
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ed_;
    delete short_;
  }
  void SetUp() override {
    library_ = make_library();
    ASSERT_NE(library_, nullptr);
    zone_.add_txt("sel._domainkey.example.org", rsa_->record);
    zone_.add_txt("ed._domainkey.example.org", ed_->record);
    zone_.add_txt("short._domainkey.example.org", short_->record);
    zone_.add_txt("sel._domainkey.lists.example.net", rsa_->record);
  }

  SealSpec spec(unsigned instance, const TestKey* key = nullptr) const {
    SealSpec s;
    s.instance = instance;
    s.key = key != nullptr ? key : rsa_;
    if (s.key == ed_) s.selector = "ed";
    return s;
  }

  // Verifies in every chunk size and checks they agree.
  ArcResult verify(const std::string& message, std::time_t now = kNow,
                   const ArcOptions& options = {}) {
    ArcResult first = verify_message(*library_, zone_, message, 65536, now, options);
    for (std::size_t chunk : kChunkSizes) {
      const ArcResult again = verify_message(*library_, zone_, message, chunk, now, options);
      EXPECT_EQ(describe(again), describe(first)) << "chunk " << chunk;
      EXPECT_EQ(again.oldest_pass, first.oldest_pass) << "chunk " << chunk;
    }
    return first;
  }

  static TestKey* rsa_;
  static TestKey* ed_;
  static TestKey* short_;
  std::unique_ptr<dkim::DkimLibrary> library_;
  dns::ZoneResolver zone_;
};

TestKey* ArcVerifierTest::rsa_ = nullptr;
TestKey* ArcVerifierTest::ed_ = nullptr;
TestKey* ArcVerifierTest::short_ = nullptr;

TEST_F(ArcVerifierTest, UnsealedMessageIsNone) {
  const ArcResult result = verify(plain_message());
  EXPECT_EQ(result.code, ArcCode::none);
  EXPECT_TRUE(result.instances.empty());
  EXPECT_EQ(result.oldest_pass, 0u);
}

TEST_F(ArcVerifierTest, OneHopPasses) {
  const ArcResult result = verify(add_arc_set(plain_message(), spec(1)));
  EXPECT_EQ(result.code, ArcCode::pass) << result.reason;
  EXPECT_TRUE(result.reason.empty());
  ASSERT_EQ(result.instances.size(), 1u);
  const ArcInstance& instance = result.instances[0];
  EXPECT_EQ(instance.instance, 1u);
  EXPECT_EQ(instance.chain_validation, "none");
  EXPECT_EQ(instance.seal.domain, "example.org");
  EXPECT_EQ(instance.seal.selector, "sel");
  EXPECT_EQ(instance.seal.algorithm, "rsa-sha256");
  EXPECT_EQ(instance.seal.key_bits, 1024u);
  EXPECT_TRUE(instance.seal.verified);
  EXPECT_TRUE(instance.message.verified);
  EXPECT_EQ(instance.authentication_results, "mx.example.net; spf=pass smtp.mailfrom=example.org");
  EXPECT_EQ(result.oldest_pass, 1u);
}

TEST_F(ArcVerifierTest, ThreeHopsMixedAlgorithmsAndCanonicalizations) {
  std::string message = add_arc_set(plain_message(), spec(1, ed_));
  SealSpec second = spec(2);
  second.header_canonicalization = Canonicalization::simple;
  second.body_canonicalization = Canonicalization::simple;
  second.domain = "lists.example.net";
  message = add_arc_set(message, second);
  message = add_arc_set(message, spec(3, ed_));
  const ArcResult result = verify(message);
  EXPECT_EQ(result.code, ArcCode::pass) << result.reason;
  ASSERT_EQ(result.instances.size(), 3u);
  EXPECT_EQ(result.instances[0].seal.algorithm, "ed25519-sha256");
  EXPECT_EQ(result.instances[0].seal.key_bits, 256u);
  EXPECT_EQ(result.instances[1].message.domain, "lists.example.net");
  EXPECT_EQ(result.oldest_pass, 1u);
}

TEST_F(ArcVerifierTest, ModifiedBodyBetweenHopsMovesOldestPass) {
  std::string message = add_arc_set(plain_message(), spec(1));
  message += "footer added by the list\r\n";  // breaks AMS(1), not the seals
  message = add_arc_set(message, spec(2));
  const ArcResult result = verify(message);
  EXPECT_EQ(result.code, ArcCode::pass) << result.reason;
  EXPECT_EQ(result.oldest_pass, 2u);
  EXPECT_FALSE(result.instances[0].message.verified);
  EXPECT_TRUE(result.instances[1].message.verified);
}

TEST_F(ArcVerifierTest, ModifiedBodyAfterLastHopFails) {
  std::string message = add_arc_set(plain_message(), spec(1));
  message += "tampered\r\n";
  const ArcResult result = verify(message);
  EXPECT_EQ(result.code, ArcCode::fail);
  EXPECT_EQ(result.reason, "AMS i=1 body hash mismatch");
  EXPECT_EQ(result.oldest_pass, 0u);
}

TEST_F(ArcVerifierTest, BodyLengthLimit) {
  SealSpec limited = spec(1);
  limited.body_length = 10;
  std::string message = add_arc_set(plain_message(), limited);
  EXPECT_EQ(verify(message).code, ArcCode::pass);
  message += "appended after l=\r\n";
  EXPECT_EQ(verify(message).code, ArcCode::pass);
  SealSpec too_long = spec(1);
  too_long.body_length = 100000;
  // The sealer hashes what there is; the verifier refuses an l= beyond the body.
  EXPECT_EQ(verify(add_arc_set(plain_message(), too_long)).reason,
            "AMS i=1 l= longer than the body");
}

TEST_F(ArcVerifierTest, TimestampInTheFuture) {
  SealSpec skewed = spec(1);
  skewed.timestamp = std::to_string(kNow + 299);
  EXPECT_EQ(verify(add_arc_set(plain_message(), skewed)).code, ArcCode::pass);
  skewed.timestamp = std::to_string(kNow + 301);
  const ArcResult result = verify(add_arc_set(plain_message(), skewed));
  EXPECT_EQ(result.code, ArcCode::fail);
  EXPECT_EQ(result.reason, "AMS i=1 t= in the future");
  ArcOptions lenient;
  lenient.clock_skew_seconds = 3600;
  EXPECT_EQ(verify(add_arc_set(plain_message(), skewed), kNow, lenient).code, ArcCode::pass);
}

TEST_F(ArcVerifierTest, Expiration) {
  SealSpec expiring = spec(1);
  expiring.expiration = std::to_string(kNow);
  EXPECT_EQ(verify(add_arc_set(plain_message(), expiring)).code, ArcCode::pass);
  expiring.expiration = std::to_string(kNow - 1);
  const ArcResult result = verify(add_arc_set(plain_message(), expiring));
  EXPECT_EQ(result.code, ArcCode::fail);
  EXPECT_EQ(result.reason, "AMS i=1 expired (x=)");
}

TEST_F(ArcVerifierTest, NoKeyFails) {
  SealSpec missing = spec(1);
  missing.selector = "gone";
  const ArcResult result = verify(add_arc_set(plain_message(), missing));
  EXPECT_EQ(result.code, ArcCode::fail);
  EXPECT_EQ(result.reason, "AMS i=1 no key for gone._domainkey.example.org");
}

TEST_F(ArcVerifierTest, ServfailIsTemperror) {
  zone_.add_failure("sel._domainkey.example.org", dns::RecordType::txt, dns::Outcome::servfail);
  const ArcResult result = verify(add_arc_set(plain_message(), spec(1)));
  EXPECT_EQ(result.code, ArcCode::temperror);
  EXPECT_EQ(result.reason, "AMS i=1 key lookup for sel._domainkey.example.org failed (SERVFAIL)");
  EXPECT_EQ(result.oldest_pass, 0u);
}

TEST_F(ArcVerifierTest, TimeoutOnOldSealIsTemperror) {
  SealSpec first = spec(1);
  first.selector = "slow";
  zone_.add_txt("slow._domainkey.example.org", rsa_->record);
  std::string message = add_arc_set(plain_message(), first);
  message = add_arc_set(message, spec(2));
  zone_.add_failure("slow._domainkey.example.org", dns::RecordType::txt, dns::Outcome::timeout);
  const ArcResult result = verify(message);
  EXPECT_EQ(result.code, ArcCode::temperror);
  EXPECT_EQ(result.reason, "seal i=1 key lookup for slow._domainkey.example.org failed (timeout)");
}

TEST_F(ArcVerifierTest, TemperrorDoesNotHideAFailure) {
  // The newest AMS cannot be checked (SERVFAIL) but the seal of i=1 is broken: fail.
  SealSpec newest = spec(2);
  newest.selector = "flaky";
  zone_.add_txt("flaky._domainkey.example.org", rsa_->record);
  SealSpec first = spec(1);
  first.selector = "other";  // no such key
  std::string message = add_arc_set(plain_message(), first);
  message = add_arc_set(message, newest);
  zone_.add_failure("flaky._domainkey.example.org", dns::RecordType::txt, dns::Outcome::servfail);
  const ArcResult result = verify(message);
  EXPECT_EQ(result.code, ArcCode::fail);
  EXPECT_EQ(result.reason, "seal i=1 no key for other._domainkey.example.org");
}

TEST_F(ArcVerifierTest, RsaSha1Fails) {
  SealSpec sha1 = spec(1);
  sha1.algorithm = "rsa-sha1";
  const ArcResult result = verify(add_arc_set(plain_message(), sha1));
  EXPECT_EQ(result.code, ArcCode::fail);
  EXPECT_EQ(result.reason, "AMS i=1 rsa-sha1 not accepted (RFC 8301)");
}

TEST_F(ArcVerifierTest, ShortRsaKeyFails) {
  SealSpec weak = spec(1, short_);
  weak.selector = "short";
  const ArcResult result = verify(add_arc_set(plain_message(), weak));
  EXPECT_EQ(result.code, ArcCode::fail);
  EXPECT_EQ(result.reason,
            "AMS i=1 512-bit key at short._domainkey.example.org (RFC 8301: too short)");
  EXPECT_EQ(result.instances[0].message.key_bits, 512u);
  EXPECT_FALSE(result.instances[0].message.verified);
  // A library configured down to 512 bits accepts it.
  dkim::DkimOptions options;
  options.min_rsa_key_bits = 512;
  const auto lenient = make_library(options);
  EXPECT_EQ(verify_message(*lenient, zone_, add_arc_set(plain_message(), weak), 64, kNow).code,
            ArcCode::pass);
}

TEST_F(ArcVerifierTest, SealOverModifiedAarFails) {
  std::string message = add_arc_set(plain_message(), spec(1));
  const std::size_t at = message.find("spf=pass");
  message.replace(at, 8, "spf=fail");
  const ArcResult result = verify(message);
  EXPECT_EQ(result.code, ArcCode::fail);
  // h= covers the AAR, so the AMS breaks first.
  EXPECT_EQ(result.reason, "AMS i=1 signature mismatch");
}

TEST_F(ArcVerifierTest, OversizeFieldFails) {
  ArcOptions small;
  small.max_header_length = 200;
  const ArcResult result = verify(add_arc_set(plain_message(), spec(1)), kNow, small);
  EXPECT_EQ(result.code, ArcCode::fail);
  EXPECT_EQ(result.reason.rfind("ARC-Seal over 200 bytes", 0), 0u) << result.reason;
}

TEST_F(ArcVerifierTest, HeaderSectionOverBoundsFails) {
  dkim::DkimOptions options;
  options.max_header_fields = 4;
  const auto bounded = make_library(options);
  const ArcResult result =
      verify_message(*bounded, zone_, add_arc_set(plain_message(), spec(1)), 7, kNow);
  EXPECT_EQ(result.code, ArcCode::fail);
  EXPECT_EQ(result.reason, "header section over its bounds");
}

TEST_F(ArcVerifierTest, BodyHashBoundCostsOldestPass) {
  SealSpec first = spec(1);
  first.body_canonicalization = Canonicalization::simple;
  std::string message = add_arc_set(plain_message(), first);
  message = add_arc_set(message, spec(2));
  EXPECT_EQ(verify(message).oldest_pass, 1u);
  ArcOptions one_hash;
  one_hash.max_body_hashes = 1;
  const ArcResult result = verify(message, kNow, one_hash);
  EXPECT_EQ(result.code, ArcCode::pass) << result.reason;
  EXPECT_EQ(result.oldest_pass, 2u);
}

TEST_F(ArcVerifierTest, MoreThanFiftyInstancesFail) {
  std::string message = plain_message();
  message = "ARC-Seal: i=51; a=rsa-sha256; cv=pass; d=example.org; s=sel; b=AA==\r\n" +
            std::string("ARC-Message-Signature: i=51; a=rsa-sha256; d=example.org; s=sel; ") +
            "h=from; bh=AA==; b=AA==\r\nARC-Authentication-Results: i=51; x; spf=pass\r\n" +
            message;
  const ArcResult result = verify(message);
  EXPECT_EQ(result.code, ArcCode::fail);
  EXPECT_EQ(result.reason, "more than 50 ARC instances");
}

TEST_F(ArcVerifierTest, BareLfMessageVerifies) {
  std::string message = add_arc_set(plain_message(), spec(1));
  std::string lf;
  for (std::size_t k = 0; k < message.size(); ++k) {
    if (message[k] == '\r' && k + 1 < message.size() && message[k + 1] == '\n') continue;
    lf.push_back(message[k]);
  }
  EXPECT_EQ(verify(lf).code, ArcCode::pass);
}

TEST_F(ArcVerifierTest, ToStringNamesEveryCode) {
  EXPECT_STREQ(to_string(ArcCode::none), "none");
  EXPECT_STREQ(to_string(ArcCode::pass), "pass");
  EXPECT_STREQ(to_string(ArcCode::fail), "fail");
  EXPECT_STREQ(to_string(ArcCode::temperror), "temperror");
}

}  // namespace
}  // namespace authmilter::arc::testing
