// is_journal_stream(): JOURNAL_STREAM ("device:inode") against the file behind a descriptor.
#include "daemon/journal_stream.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace authmilter::daemon {
namespace {

class JournalStream : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::tmpfile();
    ASSERT_NE(file_, nullptr);
    other_ = std::tmpfile();
    ASSERT_NE(other_, nullptr);
  }
  void TearDown() override {
    std::fclose(file_);
    std::fclose(other_);
  }
  static std::string identity(std::FILE* file) {
    struct stat status {};
    EXPECT_EQ(fstat(fileno(file), &status), 0);
    return std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino);
  }

  std::FILE* file_ = nullptr;
  std::FILE* other_ = nullptr;
};

TEST_F(JournalStream, TheSameFileIsTheJournal) {
  EXPECT_TRUE(is_journal_stream(identity(file_).c_str(), fileno(file_)));
}

TEST_F(JournalStream, AnotherFileIsNot) {
  EXPECT_FALSE(is_journal_stream(identity(other_).c_str(), fileno(file_)));
}

TEST_F(JournalStream, NoVariableOrABrokenOneIsNot) {
  const std::string same = identity(file_);
  const int fd = fileno(file_);
  EXPECT_FALSE(is_journal_stream(nullptr, fd));
  for (const std::string& broken :
       {std::string(), std::string(":"), same.substr(0, same.find(':')),
        same.substr(0, same.find(':') + 1), same.substr(same.find(':')), same + "x", " " + same,
        "-" + same, same + ":1", std::string("99999999999999999999999:1")})
    EXPECT_FALSE(is_journal_stream(broken.c_str(), fd)) << broken;
}

TEST_F(JournalStream, AClosedDescriptorIsNot) {
  const int fd = dup(fileno(file_));
  ASSERT_GE(fd, 0);
  const std::string same = identity(file_);
  close(fd);
  EXPECT_FALSE(is_journal_stream(same.c_str(), fd));
}

}  // namespace
}  // namespace authmilter::daemon
