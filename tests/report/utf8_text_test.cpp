// utf8_text_test.cpp - network text made valid UTF-8 for the store and the XML report.
#include "report/utf8_text.h"

#include <gtest/gtest.h>

namespace authmilter::report {
namespace {

TEST(Utf8OrAscii, ValidTextIsKept) {
  EXPECT_EQ(utf8_or_ascii(""), "");
  EXPECT_EQ(utf8_or_ascii("example.com"), "example.com");
  EXPECT_EQ(utf8_or_ascii("gr\xc3\xbc\xc3\x9f.example"), "gr\xc3\xbc\xc3\x9f.example");
  EXPECT_EQ(utf8_or_ascii("\xf0\x9f\x93\xa7"), "\xf0\x9f\x93\xa7");
}

TEST(Utf8OrAscii, ACharacterCutAtTheEndIsDropped) {
  EXPECT_EQ(utf8_or_ascii("ab\xc3"), "ab");
  EXPECT_EQ(utf8_or_ascii("ab\xe2\x82"), "ab");
  EXPECT_EQ(utf8_or_ascii("ab\xf0\x9f\x93"), "ab");
}

TEST(Utf8OrAscii, AnythingElseLosesItsEightBitBytes) {
  EXPECT_EQ(utf8_or_ascii("s\xff\xfe"), "s??");
  EXPECT_EQ(utf8_or_ascii("b\xe4"
                          "d.example"),
            "b?d.example");  // Latin-1
  EXPECT_EQ(utf8_or_ascii("\x80"), "?");
  EXPECT_EQ(utf8_or_ascii("\xc0\xaf"), "??");       // overlong '/'
  EXPECT_EQ(utf8_or_ascii("\xed\xa0\x80"), "???");  // a UTF-16 surrogate
  // Invalid before a cut character: no half measures, every 8-bit byte goes.
  EXPECT_EQ(utf8_or_ascii("\xff"
                          "a\xc3"),
            "?a?");
  EXPECT_EQ(utf8_or_ascii(std::string("a\0\xff", 3)), "a??");
}

}  // namespace
}  // namespace authmilter::report
