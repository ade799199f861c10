// Tests for wire_rdata: RDATA decoding under hostile input.
#include "dns/wire_rdata.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authmilter::dns {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

Bytes wire_name(const std::vector<std::string>& labels) {
  Bytes out;
  for (const auto& label : labels) {
    out.push_back(static_cast<std::uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
  }
  out.push_back(0);
  return out;
}

TEST(WireRdataTest, TxtJoinsCharacterStrings) {
  const Bytes rdata = bytes({7, 'v', '=', 's', 'p', 'f', '1', ' ', 4, '-', 'a', 'l', 'l'});
  const auto txt = parse_txt_rdata(rdata, 100);
  ASSERT_TRUE(txt.ok());
  EXPECT_EQ(txt.value.text, "v=spf1 -all");
  EXPECT_FALSE(txt.value.truncated);
}

TEST(WireRdataTest, TxtKeepsEmptyStringsAndEmptyRdata) {
  const auto empty_strings = parse_txt_rdata(bytes({0, 1, 'x', 0}), 100);
  ASSERT_TRUE(empty_strings.ok());
  EXPECT_EQ(empty_strings.value.text, "x");
  const auto empty_rdata = parse_txt_rdata(Bytes{}, 100);
  ASSERT_TRUE(empty_rdata.ok());
  EXPECT_EQ(empty_rdata.value.text, "");
}

TEST(WireRdataTest, TxtLengthPastEndIsMalformed) {
  EXPECT_EQ(parse_txt_rdata(bytes({5, 'a', 'b'}), 100).status, RdataStatus::malformed);
  EXPECT_EQ(parse_txt_rdata(bytes({1, 'a', 200}), 100).status, RdataStatus::malformed);
  EXPECT_EQ(parse_txt_rdata(bytes({255}), 100).status, RdataStatus::malformed);
}

TEST(WireRdataTest, TxtIsCutAtTheBound) {
  Bytes rdata;
  for (int i = 0; i < 10; ++i) {
    rdata.push_back(255);
    rdata.insert(rdata.end(), 255, static_cast<std::uint8_t>('a' + i));
  }
  const auto txt = parse_txt_rdata(rdata, 1000);
  ASSERT_TRUE(txt.ok());
  EXPECT_EQ(txt.value.text.size(), 1000u);
  EXPECT_TRUE(txt.value.truncated);
  EXPECT_EQ(txt.value.text.substr(0, 255), std::string(255, 'a'));
  EXPECT_EQ(txt.value.text.back(), 'd');  // 3 * 255 = 765, then 235 of the fourth string
}

TEST(WireRdataTest, TxtKeepsBinaryBytes) {
  const auto txt = parse_txt_rdata(bytes({3, 0, 0xff, '"'}), 100);
  ASSERT_TRUE(txt.ok());
  EXPECT_EQ(txt.value.text, std::string("\0\xff\"", 3));
}

TEST(WireRdataTest, AddressesNeedTheExactSize) {
  const auto v4 = parse_address_rdata(bytes({192, 0, 2, 1}), net::IpFamily::v4);
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4.value.to_string(), "192.0.2.1");
  Bytes v6_bytes(16, 0);
  v6_bytes[0] = 0x20;
  v6_bytes[1] = 0x01;
  v6_bytes[2] = 0x0d;
  v6_bytes[3] = 0xb8;
  v6_bytes[15] = 1;
  const auto v6 = parse_address_rdata(v6_bytes, net::IpFamily::v6);
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6.value.to_string(), "2001:db8::1");
  EXPECT_FALSE(parse_address_rdata(bytes({192, 0, 2}), net::IpFamily::v4).ok());
  EXPECT_FALSE(parse_address_rdata(bytes({192, 0, 2, 1, 0}), net::IpFamily::v4).ok());
  EXPECT_FALSE(parse_address_rdata(bytes({192, 0, 2, 1}), net::IpFamily::v6).ok());
  EXPECT_FALSE(parse_address_rdata(Bytes{}, net::IpFamily::v4).ok());
}

TEST(WireRdataTest, MxDecodesPreferenceAndLowerCasesTheName) {
  Bytes rdata = bytes({0x01, 0x02});
  const Bytes name = wire_name({"Mail", "EXAMPLE", "test"});
  rdata.insert(rdata.end(), name.begin(), name.end());
  const auto mx = parse_mx_rdata(rdata);
  ASSERT_TRUE(mx.ok());
  EXPECT_EQ(mx.value.preference, 258);
  EXPECT_EQ(mx.value.exchange, "mail.example.test");
}

TEST(WireRdataTest, NullMxIsTheEmptyName) {  // RFC 7505
  const auto mx = parse_mx_rdata(bytes({0, 0, 0}));
  ASSERT_TRUE(mx.ok());
  EXPECT_EQ(mx.value.preference, 0);
  EXPECT_EQ(mx.value.exchange, "");
}

TEST(WireRdataTest, MalformedNames) {
  // Too short, label past the end, missing root label, trailing bytes, compression pointer,
  // reserved label types.
  const std::vector<Bytes> cases = {
      bytes({0, 10}),
      bytes({0, 10, 5, 'a', 'b', 0}),
      bytes({0, 10, 1, 'a'}),
      bytes({0, 10, 1, 'a', 0, 0}),
      bytes({0, 10, 1, 'a', 0xC0, 0x02}),
      bytes({0, 10, 0x40, 0}),
      bytes({0, 10, 0x80, 0}),
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(parse_mx_rdata(cases[i]).status, RdataStatus::malformed);
    const Bytes name_only(cases[i].begin() + 2, cases[i].end());
    EXPECT_EQ(parse_name_rdata(name_only).status, RdataStatus::malformed);
  }
}

TEST(WireRdataTest, NameLongerThan255OctetsIsMalformed) {
  const std::string label(63, 'a');
  const Bytes fits = wire_name({label, label, label, std::string(61, 'b')});  // 255 octets
  ASSERT_EQ(fits.size(), 255u);
  EXPECT_TRUE(parse_name_rdata(fits).ok());
  const Bytes too_long = wire_name({label, label, label, std::string(62, 'b')});  // 256
  EXPECT_EQ(parse_name_rdata(too_long).status, RdataStatus::malformed);
  Bytes many_labels;
  for (int i = 0; i < 200; ++i) many_labels.insert(many_labels.end(), {1, 'x'});
  many_labels.push_back(0);
  EXPECT_EQ(parse_name_rdata(many_labels).status, RdataStatus::malformed);
}

TEST(WireRdataTest, AmbiguousLabelBytesAreUnrepresentable) {
  for (const std::string& label : {std::string("a.b"), std::string("a\\b"), std::string("a b"),
                                   std::string("a\x01"), std::string("\xc3\xa9")}) {
    SCOPED_TRACE(label);
    const auto name = parse_name_rdata(wire_name({label, "example", "test"}));
    EXPECT_EQ(name.status, RdataStatus::unrepresentable);
    EXPECT_EQ(name.value, "");
  }
}

TEST(WireRdataTest, PtrName) {
  const auto name = parse_name_rdata(wire_name({"Host-1", "Example", "TEST"}));
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name.value, "host-1.example.test");
}

}  // namespace
}  // namespace authmilter::dns
