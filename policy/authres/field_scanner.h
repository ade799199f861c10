// field_scanner.h - a cursor over a header field value that understands RFC 5322 CFWS.
//
// Shared by authserv_id_of() and parse_authres(). The scanner never reads past the end of the
// text it was given and never recurses: comment nesting is counted and bounded
// (kMaxCommentDepth), so hostile input costs time linear in its length and no stack.
// Readers return an empty view / nullopt when the construct is absent or malformed (unbalanced
// comment, unterminated quoted-string); skip_cfws() says which.
// Leniency (a reader of others' fields, RFC 8601 §5): CR and LF count as folding whitespace,
// a quoted-pair may escape any byte, and CR/LF are dropped from captured text (unfolding,
// RFC 5322 §3.2.2). Captured text is otherwise returned as found; sanitize before writing it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authmilter::authres {

// Deeper comment nesting than this is treated as malformed. RFC 5322 sets no limit; real
// fields nest at most twice.
inline constexpr int kMaxCommentDepth = 16;

enum class Cfws {
  none,       // nothing skipped
  skipped,    // at least one blank or comment skipped
  malformed,  // an unbalanced or too deeply nested comment
};

class FieldScanner {
 public:
  explicit FieldScanner(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  // The current byte, or '\0' at the end.
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  std::size_t position() const { return pos_; }
  // Consumes c if it is next.
  bool consume(char c);

  // Skips blanks and comments. Each top-level comment's text (quoted-pairs resolved, nested
  // parentheses kept) is appended to comments when that is not null.
  Cfws skip_cfws(std::vector<std::string>* comments = nullptr);

  // Longest run of RFC 2045 token characters (and 8-bit bytes); empty if none.
  std::string_view read_token();
  // Longest run of letters, digits, '-' and '_' (an RFC 8601 Keyword, leniently); may be empty.
  std::string_view read_keyword();
  // Longest run of ASCII digits; may be empty.
  std::string_view read_digits();
  // A quoted-string starting at the current '"', unescaped; nullopt if unterminated or absent.
  std::optional<std::string> read_quoted_string();
  // RFC 2045 value: a quoted-string or a token; nullopt if neither is next or it is malformed.
  std::optional<std::string> read_value();
  // RFC 8601 pvalue without its CFWS: a value, "[local-part]@domain" (the local-part possibly
  // quoted, then kept as written), leniently also '/' and ':' (base64, IPv6) unquoted.
  std::optional<std::string> read_pvalue();

 private:
  bool skip_comment(std::string* captured);
  std::string_view read_while(bool (*accept)(unsigned char));

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace authmilter::authres
