// The probe token: only the key's holder can make one, and the daemon's reply stays one line.
#include "daemon/probe_token.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "daemon/probe_reply.h"

namespace authmilter::daemon {
namespace {

class ProbeKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/probe-key-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
    path_ = directory_ + "/probe.key";
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(directory_.c_str());
  }
  std::string directory_, path_;
};

TEST_F(ProbeKeyTest, CreatedOwnerOnlyAndReadBackTheSame) {
  auto created = ProbeKey::load_or_create(path_);
  ASSERT_TRUE(created.ok()) << created.error();
  struct stat info {};
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto again = ProbeKey::load_or_create(path_);  // an existing key is kept
  ASSERT_TRUE(again.ok()) << again.error();
  const std::string nonce = ProbeKey::new_nonce();
  EXPECT_EQ(nonce.size(), 32u);
  EXPECT_EQ(created->header_value(nonce), again->header_value(nonce));
  EXPECT_EQ(again->verified_nonce(" " + created->header_value(nonce) + "\r\n"), nonce);
}

TEST_F(ProbeKeyTest, TokensOfAnotherKeyOrTamperedAreRefused) {
  auto key = ProbeKey::load_or_create(path_);
  ASSERT_TRUE(key.ok()) << key.error();
  const std::string nonce = ProbeKey::new_nonce();
  std::string value = key->header_value(nonce);
  ASSERT_TRUE(key->verified_nonce(value));
  std::string tampered = value;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_FALSE(key->verified_nonce(tampered));
  EXPECT_FALSE(key->verified_nonce(nonce));                  // no MAC at all
  EXPECT_FALSE(key->verified_nonce(nonce + "."));            // empty MAC
  EXPECT_FALSE(key->verified_nonce("x" + value.substr(1)));  // nonce not hex
  EXPECT_FALSE(key->verified_nonce(""));
  EXPECT_FALSE(key->verified_nonce(std::string(300, 'a') + "." + value));
  unlink(path_.c_str());
  auto other = ProbeKey::load_or_create(path_);
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_FALSE(other->verified_nonce(value));
}

TEST_F(ProbeKeyTest, BadKeyFilesAreErrorsThatSayWhy) {
  { std::ofstream(path_) << "0123\n"; }
  chmod(path_.c_str(), 0600);
  auto short_key = ProbeKey::load(path_);
  ASSERT_FALSE(short_key.ok());
  EXPECT_NE(short_key.error().find("hex digits"), std::string::npos) << short_key.error();
  { std::ofstream(path_) << std::string(64, 'a') << "\n"; }
  chmod(path_.c_str(), 0644);
  auto readable = ProbeKey::load(path_);
  ASSERT_FALSE(readable.ok());
  EXPECT_NE(readable.error().find("readable by others"), std::string::npos) << readable.error();
  chmod(path_.c_str(), 0600);
  EXPECT_TRUE(ProbeKey::load(path_).ok());
  auto missing = ProbeKey::load(directory_ + "/absent.key");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("No such file"), std::string::npos) << missing.error();
  auto no_directory = ProbeKey::load_or_create(directory_ + "/absent/probe.key");
  EXPECT_FALSE(no_directory.ok());
}

TEST(ProbeReply, OneBoundedLineWithTheHeader) {
  const std::string text =
      probe_reply_text("abc", "mx.test;\n\tspf=pass smtp.mailfrom=a.example;\r\n\tdkim=none", "");
  EXPECT_EQ(text,
            "authmilter probe abc seen; it would add Authentication-Results: mx.test; spf=pass "
            "smtp.mailfrom=a.example; dkim=none");
  const std::string long_text = probe_reply_text("abc", std::string(5000, 'x') + "\x01", "");
  EXPECT_EQ(long_text.size(), kMaxProbeReplyText);
  EXPECT_TRUE(long_text.ends_with("..."));
  EXPECT_EQ(probe_reply_text("abc", "a\x01z", "").find('\x01'), std::string::npos);
  EXPECT_EQ(probe_reply_text("abc", "mx.test; none", "trusted network"),
            "authmilter probe abc seen; checks skipped for this client (trusted network), mail "
            "from others is checked; it would add Authentication-Results: mx.test; none");
}

}  // namespace
}  // namespace authmilter::daemon
