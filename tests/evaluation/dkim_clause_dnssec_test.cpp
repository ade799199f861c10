// The dkim= clause's comment with the key answer's DNSSEC status ("2048-bit key; secure", as
// OpenDKIM writes it), and unchanged when the resolver has no trust anchor.
#include <gtest/gtest.h>

#include <string>

#include "evaluation/authres_clauses.h"

namespace authmilter::evaluation {
namespace {

dkim::DkimResult key_result(dkim::DkimCode code, unsigned bits, dns::DnssecStatus dnssec) {
  dkim::DkimResult result;
  result.code = code;
  result.domain = "example.com";
  result.identity = "@example.com";
  result.selector = "s";
  result.algorithm = "rsa-sha256";
  result.signature_prefix = "abcdefgh";
  result.key_bits = bits;
  result.key_dnssec = dnssec;
  return result;
}

std::string comment_of(const dkim::DkimResult& result) {
  const auto clauses = dkim_clauses({result}, 5);
  EXPECT_EQ(clauses.size(), 1u);
  return clauses.empty() ? std::string() : clauses[0].comment;
}

TEST(DkimClauseDnssec, ValidatedStatusFollowsTheKeySize) {
  EXPECT_EQ(comment_of(key_result(dkim::DkimCode::pass, 2048, dns::DnssecStatus::secure)),
            "2048-bit key; secure");
  EXPECT_EQ(comment_of(key_result(dkim::DkimCode::pass, 1024, dns::DnssecStatus::insecure)),
            "1024-bit key; insecure");
  EXPECT_EQ(authres::format_authres(
                "mx", dkim_clauses(
                          {key_result(dkim::DkimCode::pass, 256, dns::DnssecStatus::secure)}, 5)),
            "mx;\n\tdkim=pass (256-bit key; secure) header.d=example.com header.i=@example.com"
            " header.s=s header.a=rsa-sha256 header.b=abcdefgh");
}

TEST(DkimClauseDnssec, ComesAfterTheReasonAndNotes) {
  dkim::DkimResult result = key_result(dkim::DkimCode::fail, 2048, dns::DnssecStatus::secure);
  result.reason = "body hash did not verify";
  result.testing_key = true;
  EXPECT_EQ(comment_of(result), "body hash did not verify; test key; 2048-bit key; secure");
  // No key size (a proven missing key): the status alone.
  dkim::DkimResult missing = key_result(dkim::DkimCode::permerror, 0, dns::DnssecStatus::secure);
  missing.reason = "no key";
  EXPECT_EQ(comment_of(missing), "no key; secure");
}

TEST(DkimClauseDnssec, BogusIsSaidOnce) {
  dkim::DkimResult bogus = key_result(dkim::DkimCode::permerror, 0, dns::DnssecStatus::bogus);
  bogus.reason = dkim::kBogusKeyReason;
  EXPECT_EQ(comment_of(bogus), "no key (DNSSEC bogus)");
  // A later verdict replaced the key's reason: the status is still said.
  bogus.reason = "signature syntax error";
  EXPECT_EQ(comment_of(bogus), "signature syntax error; bogus");
}

TEST(DkimClauseDnssec, UnvalidatedLeavesTheCommentAsBefore) {
  dkim::DkimResult result = key_result(dkim::DkimCode::pass, 2048, dns::DnssecStatus::unvalidated);
  EXPECT_EQ(comment_of(result), "");
  result.reason = "no key";
  result.code = dkim::DkimCode::permerror;
  EXPECT_EQ(comment_of(result), "no key");
}

}  // namespace
}  // namespace authmilter::evaluation
