#include "authres/field_scanner.h"

#include "authres/grammar.h"

namespace authmilter::authres {
namespace {

bool is_line_break(char c) {
  return c == '\r' || c == '\n';
}

bool is_pvalue_char(unsigned char c) {
  return grammar::is_lenient_token_char(c) || c == '@' || c == '/' || c == ':';
}

}  // namespace

bool FieldScanner::consume(char c) {
  if (at_end() || text_[pos_] != c) return false;
  ++pos_;
  return true;
}

Cfws FieldScanner::skip_cfws(std::vector<std::string>* comments) {
  Cfws state = Cfws::none;
  while (!at_end()) {
    const char c = text_[pos_];
    if (grammar::is_blank(static_cast<unsigned char>(c))) {
      ++pos_;
    } else if (c == '(') {
      std::string captured;
      if (!skip_comment(comments != nullptr ? &captured : nullptr)) return Cfws::malformed;
      if (comments != nullptr) comments->push_back(std::move(captured));
    } else {
      break;
    }
    state = Cfws::skipped;
  }
  return state;
}

// Skips one comment starting at '('. Iterative, depth-bounded; false if unbalanced or too deep.
bool FieldScanner::skip_comment(std::string* captured) {
  int depth = 0;
  while (!at_end()) {
    const char c = text_[pos_++];
    if (c == '\\') {
      if (at_end()) return false;
      const char escaped = text_[pos_++];
      if (captured != nullptr && !is_line_break(escaped)) *captured += escaped;
      continue;
    }
    if (c == '(') {
      if (++depth > kMaxCommentDepth) return false;
      if (depth == 1) continue;
    } else if (c == ')') {
      if (--depth == 0) return true;
    } else if (is_line_break(c)) {
      continue;
    }
    if (captured != nullptr) *captured += c;
  }
  return false;
}

std::string_view FieldScanner::read_while(bool (*accept)(unsigned char)) {
  const std::size_t start = pos_;
  while (!at_end() && accept(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  return text_.substr(start, pos_ - start);
}

std::string_view FieldScanner::read_token() {
  return read_while(grammar::is_lenient_token_char);
}

std::string_view FieldScanner::read_keyword() {
  return read_while(grammar::is_keyword_char);
}

std::string_view FieldScanner::read_digits() {
  return read_while(grammar::is_digit);
}

std::optional<std::string> FieldScanner::read_quoted_string() {
  const std::size_t start = pos_;
  if (!consume('"')) return std::nullopt;
  std::string content;
  while (!at_end()) {
    const char c = text_[pos_++];
    if (c == '"') return content;
    if (c == '\\') {
      if (at_end()) break;
      const char escaped = text_[pos_++];
      if (!is_line_break(escaped)) content += escaped;
    } else if (!is_line_break(c)) {
      content += c;
    }
  }
  pos_ = start;
  return std::nullopt;
}

std::optional<std::string> FieldScanner::read_value() {
  if (peek() == '"') return read_quoted_string();
  const std::string_view token = read_token();
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

std::optional<std::string> FieldScanner::read_pvalue() {
  const std::size_t start = pos_;
  if (peek() == '"') {
    std::optional<std::string> quoted = read_quoted_string();
    if (!quoted || !consume('@')) return quoted;
    // A quoted local-part: keep the address as written, the quotes carry meaning.
    read_while(is_pvalue_char);
    return std::string(text_.substr(start, pos_ - start));
  }
  const std::string_view run = read_while(is_pvalue_char);
  if (run.empty()) return std::nullopt;
  return std::string(run);
}

}  // namespace authmilter::authres
