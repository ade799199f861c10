#include "spf/macro.h"

#include <algorithm>
#include <vector>

namespace authmilter::spf {

namespace {

// Digit transformers beyond any possible number of parts mean "all of them".
constexpr int kMaxTransformerParts = 1024;
constexpr std::string_view kDelimiters = ".-+,/_=";

// One parsed "%{...}" expression.
struct MacroExpression {
  char letter = 0;  // as written; upper case asks for URL escaping
  int parts = 0;    // 0 = all
  bool reverse = false;
  std::string delimiters;
};

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool letter_allowed(char letter, MacroContext ctx) {
  switch (lower(letter)) {
    case 's':
    case 'l':
    case 'o':
    case 'd':
    case 'i':
    case 'p':
    case 'h':
    case 'v':
      return true;
    case 'c':
    case 'r':
    case 't':
      return ctx == MacroContext::explanation;  // RFC 7208 §7.1: explanation text only
    default:
      return false;
  }
}

bool literal_allowed(char c, MacroContext ctx) {
  if (c == ' ') return ctx == MacroContext::explanation;
  return c >= 0x21 && c <= 0x7e && c != '%';
}

// parse_expression - parses the text after "%{" up to and including "}"; advances pos.
std::optional<MacroExpression> parse_expression(std::string_view text, std::size_t& pos,
                                                MacroContext ctx) {
  MacroExpression expr;
  if (pos >= text.size() || !letter_allowed(text[pos], ctx)) return std::nullopt;
  expr.letter = text[pos++];
  bool has_digits = false;
  long long parts = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    has_digits = true;
    parts = std::min<long long>(parts * 10 + (text[pos++] - '0'), kMaxTransformerParts);
  }
  if (has_digits && parts == 0) return std::nullopt;  // RFC 7208 §7.3: MUST be nonzero
  expr.parts = static_cast<int>(parts);
  if (pos < text.size() && (text[pos] == 'r' || text[pos] == 'R')) {
    expr.reverse = true;
    ++pos;
  }
  while (pos < text.size() && kDelimiters.find(text[pos]) != std::string_view::npos) {
    expr.delimiters += text[pos++];
  }
  if (pos >= text.size() || text[pos] != '}') return std::nullopt;
  ++pos;
  return expr;
}

std::string nibbles(const net::IpAddress& address) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i > 0) out += '.';
    out += kHex[address.bytes()[i] >> 4];
    out += '.';
    out += kHex[address.bytes()[i] & 0xf];
  }
  return out;
}

std::string letter_value(char letter, const MacroInputs& in) {
  switch (lower(letter)) {
    case 's':
      return in.sender;
    case 'l':
      return in.local_part;
    case 'o':
      return in.sender_domain;
    case 'd':
      return in.domain;
    case 'i':
      return in.client.is_v4() ? in.client.to_string() : nibbles(in.client);
    case 'p':
      return in.validated_name ? in.validated_name() : "unknown";
    case 'h':
      return in.helo;
    case 'v':
      return in.client.is_v4() ? "in-addr" : "ip6";
    case 'c':
      return in.client.to_string();
    case 'r':
      return in.receiver;
    case 't':
      return std::to_string(in.timestamp);
  }
  return {};
}

// transform - RFC 7208 §7.3: split on delimiters, reverse, keep the right-most parts, join.
std::string transform(const std::string& value, const MacroExpression& expr) {
  if (expr.parts == 0 && !expr.reverse && expr.delimiters.empty()) return value;
  // Both arms are views: a std::string temporary here would dangle.
  const std::string_view delimiters =
      expr.delimiters.empty() ? std::string_view(".") : std::string_view(expr.delimiters);
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  const std::string_view v(value);
  while (true) {
    const std::size_t cut = v.find_first_of(delimiters, start);
    parts.push_back(v.substr(start, cut == std::string_view::npos ? v.npos : cut - start));
    if (cut == std::string_view::npos) break;
    start = cut + 1;
  }
  if (expr.reverse) std::reverse(parts.begin(), parts.end());
  std::size_t first = 0;
  if (expr.parts > 0 && static_cast<std::size_t>(expr.parts) < parts.size())
    first = parts.size() - static_cast<std::size_t>(expr.parts);
  std::string out;
  for (std::size_t i = first; i < parts.size(); ++i) {
    if (i > first) out += '.';
    out += parts[i];
  }
  return out;
}

// Appends while bounding the output: a domain keeps its right-most octets (labels are later
// dropped from the left anyway), an explanation keeps its beginning.
void append_bounded(std::string& out, std::string_view piece, MacroContext ctx) {
  out += piece;
  if (out.size() <= kMaxMacroOutput) return;
  if (ctx == MacroContext::domain)
    out.erase(0, out.size() - kMaxMacroOutput);
  else
    out.resize(kMaxMacroOutput);
}

// walk - one pass over text; with inputs == nullptr only the syntax is checked.
Result<std::string> walk(std::string_view text, const MacroInputs* inputs, MacroContext ctx) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c != '%') {
      if (!literal_allowed(c, ctx)) return Error{"invalid character in macro-string"};
      if (inputs) append_bounded(out, std::string_view(&text[pos], 1), ctx);
      ++pos;
      continue;
    }
    if (pos + 1 >= text.size()) return Error{"'%' at end of macro-string"};
    const char next = text[pos + 1];
    pos += 2;
    if (next == '%' || next == '_' || next == '-') {
      if (inputs) append_bounded(out, next == '%' ? "%" : next == '_' ? " " : "%20", ctx);
      continue;
    }
    if (next != '{') return Error{"'%' not followed by '{', '%', '_' or '-'"};
    const auto expr = parse_expression(text, pos, ctx);
    if (!expr) return Error{"invalid macro expression"};
    if (!inputs) continue;
    std::string value = transform(letter_value(expr->letter, *inputs), *expr);
    if (expr->letter >= 'A' && expr->letter <= 'Z') value = url_escape(value);
    append_bounded(out, value, ctx);
  }
  return out;
}

}  // namespace

Status check_macro_string(std::string_view text, MacroContext ctx) {
  const Result<std::string> walked = walk(text, nullptr, ctx);
  if (!walked) return Error{walked.error()};
  return Ok{};
}

std::optional<std::string> expand_macros(std::string_view text, const MacroInputs& inputs,
                                         MacroContext ctx) {
  Result<std::string> expanded = walk(text, &inputs, ctx);
  if (!expanded) return std::nullopt;
  return std::move(*expanded);
}

bool ends_with_macro_expand(std::string_view text) {
  if (text.size() >= 2 && text[text.size() - 2] == '%') {
    // "%%", "%_", "%-" are macro-expands, unless that '%' is itself the second of "%%".
    std::size_t percents = 0;
    for (std::size_t i = text.size() - 1; i-- > 0 && text[i] == '%';) ++percents;
    const char last = text.back();
    if ((last == '_' || last == '-' || last == '%') && percents % 2 == 1) return true;
  }
  if (text.empty() || text.back() != '}') return false;
  const std::size_t open = text.rfind("%{");
  if (open == std::string_view::npos) return false;
  std::size_t percents = 0;  // an escaped "%%{" is a literal '{', not a macro
  for (std::size_t i = open + 1; i-- > 0 && text[i] == '%';) ++percents;
  return percents % 2 == 1 && text.find('}', open) == text.size() - 1;
}

std::string url_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace authmilter::spf
