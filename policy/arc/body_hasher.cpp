#include "arc/body_hasher.h"

#include <algorithm>

namespace authmilter::arc {

BodyHasher::BodyHasher(Canonicalization canonicalization, std::optional<std::uint64_t> length_limit)
    : canonicalization_(canonicalization), limit_(length_limit), context_(EVP_MD_CTX_new()) {
  ok_ = context_ != nullptr && EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) == 1;
}

void BodyHasher::emit(std::string_view bytes) {
  std::string_view hashed = bytes;
  if (limit_) {
    const std::uint64_t room = length_ < *limit_ ? *limit_ - length_ : 0;
    if (hashed.size() > room) hashed = hashed.substr(0, static_cast<std::size_t>(room));
  }
  output_.append(hashed);
  length_ += bytes.size();
  if (output_.size() >= 16384) flush_output();
}

void BodyHasher::flush_output() {
  if (ok_ && !output_.empty()) {
    ok_ = EVP_DigestUpdate(context_.get(), output_.data(), output_.size()) == 1;
  }
  output_.clear();
}

// A byte that is not part of a line end: pending line ends and the pending space come first.
void BodyHasher::content(char c) {
  while (pending_crlfs_ > 0) {
    emit("\r\n");
    --pending_crlfs_;
  }
  if (pending_space_) emit(" ");
  pending_space_ = false;
  any_content_ = true;
  const char byte[1] = {c};
  emit(std::string_view(byte, 1));
}

void BodyHasher::update(std::string_view normalized) {
  const bool relaxed = canonicalization_ == Canonicalization::relaxed;
  for (const char c : normalized) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        pending_space_ = false;  // relaxed: whitespace at the end of a line goes
        ++pending_crlfs_;
        continue;
      }
      content('\r');  // a bare CR is an ordinary byte
    }
    if (c == '\r') {
      pending_cr_ = true;
    } else if (relaxed && (c == ' ' || c == '\t')) {
      pending_space_ = true;
    } else {
      content(c);
    }
  }
  flush_output();
}

BodyDigest BodyHasher::finish() {
  if (pending_cr_) {
    pending_cr_ = false;
    content('\r');
  }
  // Trailing empty lines are dropped; a body with content ends in exactly one CRLF. An empty
  // body is CRLF under simple and nothing under relaxed (RFC 6376 §3.4.3, §3.4.4).
  if (any_content_ || canonicalization_ == Canonicalization::simple) emit("\r\n");
  pending_crlfs_ = 0;
  flush_output();
  BodyDigest result;
  result.canonical_length = length_;
  result.shorter_than_limit = limit_ && *limit_ > length_;
  if (!ok_) return result;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context_.get(), digest, &size) == 1) {
    result.digest.assign(digest, digest + size);
  }
  ok_ = false;
  return result;
}

}  // namespace authmilter::arc
