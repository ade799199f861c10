// Tests for unbound_answer: outcome mapping and bounds over hand-built ub_result structures
// (including RDATA that no real server would send, which libunbound's parser would catch).
#include "dns/unbound_answer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "outcome_printer.h"

namespace authmilter::dns {
namespace {

using Rr = std::string;  // raw RDATA bytes

// Builds a completion the way libunbound allocates results, so ub_resolve_free releases it.
QueryCompletion answered(int rcode, const std::vector<Rr>& rdatas, bool nxdomain = false) {
  auto* result = static_cast<ub_result*>(std::calloc(1, sizeof(ub_result)));
  result->qname = strdup("q.example.test.");
  result->rcode = rcode;
  result->nxdomain = nxdomain ? 1 : 0;
  result->havedata = rdatas.empty() ? 0 : 1;
  result->data = static_cast<char**>(std::calloc(rdatas.size() + 1, sizeof(char*)));
  result->len = static_cast<int*>(std::calloc(rdatas.size() + 1, sizeof(int)));
  for (std::size_t i = 0; i < rdatas.size(); ++i) {
    result->data[i] = static_cast<char*>(std::malloc(rdatas[i].size() + 1));
    std::memcpy(result->data[i], rdatas[i].data(), rdatas[i].size());
    result->len[i] = static_cast<int>(rdatas[i].size());
  }
  QueryCompletion completion;
  completion.status = QueryCompletion::Status::answered;
  completion.result.reset(result);
  return completion;
}

Rr txt(const std::string& text) {
  return std::string(1, static_cast<char>(text.size())) + text;
}

TEST(UnboundAnswerTest, OutcomesMapFromRcodeAndData) {
  EXPECT_EQ(to_txt_answer(answered(0, {txt("x")})).outcome, Outcome::ok);
  EXPECT_EQ(to_txt_answer(answered(0, {})).outcome, Outcome::nodata);
  EXPECT_EQ(to_txt_answer(answered(3, {}, true)).outcome, Outcome::nxdomain);
  EXPECT_EQ(to_txt_answer(answered(2, {})).outcome, Outcome::servfail);  // SERVFAIL
  EXPECT_EQ(to_txt_answer(answered(5, {})).outcome, Outcome::servfail);  // REFUSED
  EXPECT_EQ(to_txt_answer(answered(1, {})).outcome, Outcome::servfail);  // FORMERR
  QueryCompletion timed_out;
  timed_out.status = QueryCompletion::Status::timed_out;
  EXPECT_EQ(to_txt_answer(timed_out).outcome, Outcome::timeout);
  QueryCompletion failed;
  failed.status = QueryCompletion::Status::failed;
  EXPECT_EQ(to_txt_answer(failed).outcome, Outcome::servfail);
}

TEST(UnboundAnswerTest, BogusIsServfailAndMarkedBogus) {
  const AnswerRules validating{AnswerBounds{}, true};
  QueryCompletion bogus = answered(0, {txt("x")});
  bogus.result->bogus = 1;
  const TxtAnswer bogus_answer = to_txt_answer(bogus, validating);
  EXPECT_EQ(bogus_answer.outcome, Outcome::servfail);
  EXPECT_TRUE(bogus_answer.records.empty());
  EXPECT_EQ(bogus_answer.dnssec, DnssecStatus::bogus);
  EXPECT_TRUE(bogus_answer.temporary_failure());  // SPF and DMARC: temperror, as before
  // An ordinary SERVFAIL was not judged by validation.
  EXPECT_EQ(to_txt_answer(answered(2, {}), validating).dnssec, DnssecStatus::unvalidated);
  QueryCompletion timed_out;
  timed_out.status = QueryCompletion::Status::timed_out;
  EXPECT_EQ(to_txt_answer(timed_out, validating).dnssec, DnssecStatus::unvalidated);
}

TEST(UnboundAnswerTest, SecureAndInsecureNeedATrustAnchor) {
  const AnswerRules validating{AnswerBounds{}, true};
  QueryCompletion secure = answered(3, {}, true);
  secure.result->secure = 1;
  const TxtAnswer secure_answer = to_txt_answer(secure, validating);
  EXPECT_EQ(secure_answer.outcome, Outcome::nxdomain);
  EXPECT_EQ(secure_answer.dnssec, DnssecStatus::secure);  // a proven NXDOMAIN
  QueryCompletion secure_data = answered(0, {txt("x")});
  secure_data.result->secure = 1;
  EXPECT_EQ(to_txt_answer(secure_data, validating).dnssec, DnssecStatus::secure);
  EXPECT_EQ(to_txt_answer(answered(0, {txt("x")}), validating).dnssec, DnssecStatus::insecure);
  // Without a trust anchor libunbound's "not secure" says nothing.
  EXPECT_EQ(to_txt_answer(answered(0, {txt("x")})).dnssec, DnssecStatus::unvalidated);
}

TEST(UnboundAnswerTest, MalformedRdataMakesTheWholeAnswerServfail) {
  const TxtAnswer answer = to_txt_answer(answered(0, {txt("v=spf1 -all"), "\x09short"}));
  EXPECT_EQ(answer.outcome, Outcome::servfail);
  EXPECT_TRUE(answer.records.empty());
  EXPECT_EQ(to_address_answer(answered(0, {"\x01\x02\x03"}), net::IpFamily::v4).outcome,
            Outcome::servfail);
  EXPECT_EQ(to_mx_answer(answered(0, {std::string("\x00\x0a\x01", 3)})).outcome, Outcome::servfail);
}

TEST(UnboundAnswerTest, OversizedTxtIsCutAndMarked) {
  Rr big;
  for (int i = 0; i < 70; ++i) big += txt(std::string(250, 'x'));  // 17500 > kMaxTxtLength
  const TxtAnswer answer = to_txt_answer(answered(0, {big, txt("small")}));
  ASSERT_EQ(answer.outcome, Outcome::ok);
  ASSERT_EQ(answer.records.size(), 2u);
  EXPECT_EQ(answer.records[0].size(), kMaxTxtLength);
  EXPECT_EQ(answer.records[1], "small");
  EXPECT_TRUE(answer.truncated);
}

TEST(UnboundAnswerTest, RecordCountIsBounded) {
  std::vector<Rr> many(kMaxRecordsPerAnswer + 10, std::string("\xc0\x00\x02\x01", 4));
  const AddressAnswer answer = to_address_answer(answered(0, many), net::IpFamily::v4);
  ASSERT_EQ(answer.outcome, Outcome::ok);
  EXPECT_EQ(answer.records.size(), kMaxRecordsPerAnswer);
  EXPECT_TRUE(answer.truncated);
  const AddressAnswer exact = to_address_answer(
      answered(0, std::vector<Rr>(kMaxRecordsPerAnswer, many[0])), net::IpFamily::v4);
  EXPECT_EQ(exact.records.size(), kMaxRecordsPerAnswer);
  EXPECT_FALSE(exact.truncated);
}

TEST(UnboundAnswerTest, ConfiguredBoundsReplaceTheDefaults) {
  const AnswerRules tight{AnswerBounds{3, 300}};
  Rr long_txt;
  for (int i = 0; i < 2; ++i) long_txt += txt(std::string(200, 'y'));  // 400 > 300
  const TxtAnswer cut = to_txt_answer(answered(0, {long_txt}), tight);
  ASSERT_EQ(cut.records.size(), 1u);
  EXPECT_EQ(cut.records[0].size(), 300u);
  EXPECT_TRUE(cut.truncated);
  const TxtAnswer whole = to_txt_answer(answered(0, {txt(std::string(250, 'z'))}), tight);
  EXPECT_EQ(whole.records[0].size(), 250u);
  EXPECT_FALSE(whole.truncated);

  const std::vector<Rr> four(4, std::string("\xc0\x00\x02\x01", 4));
  const AddressAnswer three = to_address_answer(answered(0, four), net::IpFamily::v4, tight);
  EXPECT_EQ(three.records.size(), 3u);
  EXPECT_TRUE(three.truncated);
  const MxAnswer mx =
      to_mx_answer(answered(0, std::vector<Rr>(4, std::string("\x00\x0a\x01m\x00", 5))), tight);
  EXPECT_EQ(mx.records.size(), 3u);
  EXPECT_TRUE(mx.truncated);
  // A looser bound than the default keeps what the default would cut.
  const std::vector<Rr> many(kMaxRecordsPerAnswer + 10, four[0]);
  const AddressAnswer loose = to_address_answer(answered(0, many), net::IpFamily::v4,
                                                AnswerRules{AnswerBounds{200, kMaxTxtLength}});
  EXPECT_EQ(loose.records.size(), kMaxRecordsPerAnswer + 10);
  EXPECT_FALSE(loose.truncated);
}

TEST(UnboundAnswerTest, UnrepresentableNamesAreDropped) {
  const Rr good = std::string("\x00\x0a\x04mail\x04test\x00", 13);
  const Rr dotted = std::string(
      "\x00\x05\x03"
      "a.b\x04test\x00",
      12);
  const MxAnswer answer = to_mx_answer(answered(0, {dotted, good}));
  ASSERT_EQ(answer.outcome, Outcome::ok);
  ASSERT_EQ(answer.records.size(), 1u);
  EXPECT_EQ(answer.records[0], (MxRecord{10, "mail.test"}));
  EXPECT_TRUE(answer.truncated);
  const MxAnswer none_left = to_mx_answer(answered(0, {dotted}));
  EXPECT_EQ(none_left.outcome, Outcome::nodata);
  EXPECT_TRUE(none_left.records.empty());
}

}  // namespace
}  // namespace authmilter::dns
