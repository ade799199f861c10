// Header and body canonicalization (RFC 6376 §3.4, the §3.4.5 examples), b= emptying, and the
// streaming body hasher (chunking, l=, empty bodies).
#include <gtest/gtest.h>

#include <string>

#include "arc/arc_signature_check.h"
#include "arc/body_hasher.h"
#include "arc/header_canonicalization.h"

namespace authmilter::arc {
namespace {

std::string body_hash_input_digest(Canonicalization c, const std::string& body, std::size_t chunk,
                                   std::optional<std::uint64_t> limit = std::nullopt) {
  BodyHasher hasher(c, limit);
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    hasher.update(std::string_view(body).substr(at, chunk));
  }
  const BodyDigest digest = hasher.finish();
  return std::string(digest.digest.begin(), digest.digest.end());
}

std::string digest_of(const std::string& text) {
  const auto digest = sha256(text);
  return std::string(digest.begin(), digest.end());
}

TEST(HeaderCanonicalization, Rfc6376Section345Relaxed) {
  EXPECT_EQ(canonicalize_header("A", " X", Canonicalization::relaxed), "a:X\r\n");
  EXPECT_EQ(canonicalize_header("B ", " Y\t\r\n\tZ  ", Canonicalization::relaxed), "b:Y Z\r\n");
}

TEST(HeaderCanonicalization, Rfc6376Section345Simple) {
  EXPECT_EQ(canonicalize_header("A", " X", Canonicalization::simple), "A: X\r\n");
  EXPECT_EQ(canonicalize_header("B ", " Y\t\r\n\tZ  ", Canonicalization::simple),
            "B : Y\t\r\n\tZ  \r\n");
}

TEST(HeaderCanonicalization, RelaxedEmptyValueAndInnerRuns) {
  EXPECT_EQ(canonicalize_header("Subject", "", Canonicalization::relaxed), "subject:\r\n");
  EXPECT_EQ(canonicalize_header("X", " \t a \t\t b \r\n c ", Canonicalization::relaxed),
            "x:a b c\r\n");
}

TEST(HeaderCanonicalization, SignatureValueEmptied) {
  EXPECT_EQ(without_signature_value(" a=rsa-sha256; b=abc\r\n def; bh=xyz; d=x"),
            " a=rsa-sha256; b=; bh=xyz; d=x");
  EXPECT_EQ(without_signature_value(" i=1; b=abc"), " i=1; b=");
  EXPECT_EQ(without_signature_value(" i=1; bh=abc;b = q ;"), " i=1; bh=abc;b =;");
  EXPECT_EQ(without_signature_value(" i=1"), " i=1");
}

TEST(BodyCanonicalization, Rfc6376Section345) {
  const std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  EXPECT_EQ(body_hash_input_digest(Canonicalization::relaxed, body, 1 << 16),
            digest_of(" C\r\nD E\r\n"));
  EXPECT_EQ(body_hash_input_digest(Canonicalization::simple, body, 1 << 16),
            digest_of(" C \r\nD \t E\r\n"));
}

TEST(BodyCanonicalization, EmptyBodies) {
  EXPECT_EQ(body_hash_input_digest(Canonicalization::simple, "", 1), digest_of("\r\n"));
  EXPECT_EQ(body_hash_input_digest(Canonicalization::relaxed, "", 1), digest_of(""));
  EXPECT_EQ(body_hash_input_digest(Canonicalization::simple, "\r\n\r\n", 1), digest_of("\r\n"));
  EXPECT_EQ(body_hash_input_digest(Canonicalization::relaxed, " \r\n\t\r\n", 1), digest_of(""));
}

TEST(BodyCanonicalization, MissingFinalCrlfAdded) {
  EXPECT_EQ(body_hash_input_digest(Canonicalization::simple, "abc", 1), digest_of("abc\r\n"));
  EXPECT_EQ(body_hash_input_digest(Canonicalization::relaxed, "abc  ", 1), digest_of("abc\r\n"));
}

TEST(BodyCanonicalization, BareCrIsAnOrdinaryByte) {
  EXPECT_EQ(body_hash_input_digest(Canonicalization::simple, "a\rb\r\n", 1), digest_of("a\rb\r\n"));
  EXPECT_EQ(body_hash_input_digest(Canonicalization::simple, "a\r", 1), digest_of("a\r\r\n"));
}

TEST(BodyCanonicalization, ChunkingDoesNotMatter) {
  const std::string body = "line one  \r\n\tline  two\r\n\r\n \r\nend \t\r\n\r\n\r\n";
  for (Canonicalization c : {Canonicalization::simple, Canonicalization::relaxed}) {
    const std::string whole = body_hash_input_digest(c, body, body.size());
    for (std::size_t chunk : {1, 2, 3, 7, 64}) {
      EXPECT_EQ(body_hash_input_digest(c, body, chunk), whole) << to_string(c) << " " << chunk;
    }
  }
}

TEST(BodyCanonicalization, LengthLimit) {
  EXPECT_EQ(body_hash_input_digest(Canonicalization::simple, "abcdef\r\n", 1, 3), digest_of("abc"));
  BodyHasher hasher(Canonicalization::simple, 100);
  hasher.update("abc\r\n");
  const BodyDigest digest = hasher.finish();
  EXPECT_TRUE(digest.shorter_than_limit);
  EXPECT_EQ(digest.canonical_length, 5u);
}

}  // namespace
}  // namespace authmilter::arc
