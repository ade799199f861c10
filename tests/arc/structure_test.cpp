// RFC 8617 §5.2 steps 1-3 on instance lists, and the AS/AMS/AAR field parsers.
#include <gtest/gtest.h>

#include "arc/arc_chain_structure.h"
#include "arc/arc_header_parse.h"
#include "arc/arc_result.h"

namespace authmilter::arc {
namespace {

ArcFieldInstances chain(unsigned n) {
  ArcFieldInstances fields;
  for (unsigned i = n; i >= 1; --i) {
    fields.seals.push_back(i);
    fields.seal_cv.push_back(i == 1 ? "none" : "pass");
    fields.message_signatures.push_back(i);
    fields.authentication_results.push_back(i);
  }
  return fields;
}

TEST(ChainStructure, NoFieldsIsNone) {
  const ChainStructure structure = check_chain_structure({});
  EXPECT_FALSE(structure.present);
  EXPECT_TRUE(structure.error.empty());
  EXPECT_TRUE(structure.sets.empty());
}

TEST(ChainStructure, ValidChains) {
  for (unsigned n : {1u, 2u, 5u, 50u}) {
    const ChainStructure structure = check_chain_structure(chain(n));
    EXPECT_TRUE(structure.error.empty()) << n << ": " << structure.error;
    ASSERT_EQ(structure.sets.size(), n);
    // Fields were listed newest first: instance 1 is the last of each kind.
    EXPECT_EQ(structure.sets[0].seal, n - 1);
  }
}

TEST(ChainStructure, MoreThanFiftyInstances) {
  const ChainStructure structure = check_chain_structure(chain(51));
  EXPECT_EQ(structure.error, "more than 50 ARC instances");
}

TEST(ChainStructure, Gap) {
  ArcFieldInstances fields = chain(3);
  // Drop instance 2 entirely.
  fields.seals = {3, 1};
  fields.seal_cv = {"pass", "none"};
  fields.message_signatures = {3, 1};
  fields.authentication_results = {3, 1};
  EXPECT_EQ(check_chain_structure(fields).error, "instance 2 missing");
}

TEST(ChainStructure, DuplicateAndMissingMembers) {
  ArcFieldInstances duplicate = chain(2);
  duplicate.message_signatures.push_back(2);
  EXPECT_EQ(check_chain_structure(duplicate).error, "duplicate ARC-Message-Signature i=2");
  ArcFieldInstances missing = chain(2);
  missing.authentication_results = {2};
  EXPECT_EQ(check_chain_structure(missing).error, "ARC-Authentication-Results i=1 missing");
}

TEST(ChainStructure, ChainValidationRules) {
  ArcFieldInstances newest_fail = chain(2);
  newest_fail.seal_cv[0] = "fail";
  EXPECT_EQ(check_chain_structure(newest_fail).error, "seal i=2 says cv=fail");
  ArcFieldInstances first_pass = chain(2);
  first_pass.seal_cv[1] = "pass";
  EXPECT_EQ(check_chain_structure(first_pass).error, "seal i=1 has cv=pass, expected none");
  ArcFieldInstances later_none = chain(3);
  later_none.seal_cv[1] = "none";
  EXPECT_EQ(check_chain_structure(later_none).error, "seal i=2 has cv=none, expected pass");
}

TEST(ChainStructure, UnreadableInstance) {
  ArcFieldInstances fields = chain(1);
  fields.authentication_results = {0};
  EXPECT_EQ(check_chain_structure(fields).error, "ARC-Authentication-Results with unreadable i=");
}

TEST(ArcHeaderParse, Seal) {
  const ArcSealFields seal =
      parse_arc_seal(" i=2; a=rsa-sha256; cv=pass; d=Example.ORG; s=sel; t=12345; b=ab\r\n cd");
  EXPECT_TRUE(seal.error.empty()) << seal.error;
  EXPECT_EQ(seal.instance, 2u);
  EXPECT_EQ(seal.domain, "example.org");
  EXPECT_EQ(seal.signature, "abcd");
  EXPECT_EQ(seal.timestamp, 12345);
  EXPECT_EQ(parse_arc_seal(" i=1; a=rsa-sha256; cv=none; d=x; s=y; b=z; h=from").error,
            "h= not allowed in ARC-Seal");
  EXPECT_EQ(parse_arc_seal(" i=1; a=rsa-sha256; cv=Pass; d=x; s=y; b=z").error, "invalid cv=");
  EXPECT_EQ(parse_arc_seal(" i=1; a=rsa-sha256; cv=none; d=x; s=y; b=z; t=1x").error, "invalid t=");
}

TEST(ArcHeaderParse, MessageSignature) {
  const ArcMessageSignatureFields ams = parse_arc_message_signature(
      " i=1; a=rsa-sha256; c=relaxed; d=x.org; s=s; h=From : TO:: subject; bh=AA==; b=BB; l=12");
  EXPECT_TRUE(ams.error.empty()) << ams.error;
  EXPECT_EQ(ams.header_canonicalization, Canonicalization::relaxed);
  EXPECT_EQ(ams.body_canonicalization, Canonicalization::simple);
  EXPECT_EQ(ams.signed_headers, (std::vector<std::string>{"from", "to", "subject"}));
  EXPECT_EQ(ams.body_length, 12u);
  EXPECT_EQ(parse_arc_message_signature(" i=1; a=x; d=x; s=s; h=from:ARC-Seal; bh=A; b=B").error,
            "h= includes ARC-Seal");
  EXPECT_EQ(parse_arc_message_signature(" i=1; a=x; d=x; s=s; bh=A; b=B").error, "missing h=");
}

TEST(ArcHeaderParse, AuthenticationResults) {
  const ArcAuthenticationResultsFields aar =
      parse_arc_authentication_results(" i=3; mx.example.net;\r\n spf=pass ");
  EXPECT_TRUE(aar.error.empty());
  EXPECT_EQ(aar.instance, 3u);
  EXPECT_EQ(aar.payload, "mx.example.net;\r\n spf=pass");
  EXPECT_FALSE(parse_arc_authentication_results(" mx.example.net; i=1;").error.empty());
  EXPECT_FALSE(parse_arc_authentication_results(" i=1 mx.example.net").error.empty());
}

}  // namespace
}  // namespace authmilter::arc
