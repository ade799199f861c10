// format.cpp - format_authres(): our Authentication-Results field value (RFC 8601 §2.2).
//
// Layout: "authserv-id;<fold>resinfo;<fold>resinfo", one resinfo per line. A resinfo's elements
// are "method[/version]=result", "(comment)", "reason=\"...\"" and "ptype.property=value", joined
// by a space, or by a fold when the line would pass RFC 5322's 998-character limit. Every
// element comes from sanitize.h, so the only CR/LF in the output are the folds written here.
#include <string>
#include <vector>

#include "authres/authres.h"
#include "authres/sanitize.h"

namespace authmilter::authres {
namespace {

// Room kept on each line for the ';' that ends every resinfo but the last.
constexpr std::size_t kSeparatorRoom = 1;

std::string_view fold_text(FoldStyle fold) {
  return fold == FoldStyle::crlf ? "\r\n\t" : "\n\t";
}

std::string methodspec(const MethodResult& result) {
  std::string text = encode_keyword(result.method);
  if (result.method_version > 0) {
    text += '/';
    text += std::to_string(result.method_version);
  }
  text += '=';
  text += encode_keyword(result.result);
  return text;
}

std::string propspec(const Property& property) {
  return encode_keyword(property.type) + '.' + encode_keyword(property.name) + '=' +
         encode_value(property.value);
}

// The resinfo's elements in output order; empty comment and reason are left out.
std::vector<std::string> resinfo_elements(const MethodResult& result) {
  std::vector<std::string> elements;
  elements.reserve(3 + result.properties.size());
  elements.push_back(methodspec(result));
  if (std::string comment = encode_comment(result.comment); !comment.empty()) {
    elements.push_back(std::move(comment));
  }
  if (!result.reason.empty()) elements.push_back("reason=" + encode_quoted(result.reason));
  for (const Property& property : result.properties) elements.push_back(propspec(property));
  return elements;
}

// Appends one resinfo, starting on a fresh line that already holds the fold's tab.
void append_resinfo(std::string& out, const MethodResult& result, std::string_view fold) {
  std::size_t line_length = 1;  // the tab
  bool first = true;
  for (const std::string& element : resinfo_elements(result)) {
    if (!first && line_length + 1 + element.size() + kSeparatorRoom > kMaxLineLength) {
      out += fold;
      line_length = 1;
    } else if (!first) {
      out += ' ';
      ++line_length;
    }
    out += element;
    line_length += element.size();
    first = false;
  }
}

}  // namespace

std::string format_authres(std::string_view authserv_id, const std::vector<MethodResult>& results,
                           FoldStyle fold) {
  std::string out = encode_authserv_id(authserv_id);
  if (results.empty()) {
    out += "; none";  // RFC 8601 §2.2 no-result
    return out;
  }
  for (const MethodResult& result : results) {
    out += ';';
    out += fold_text(fold);
    append_resinfo(out, result, fold_text(fold));
  }
  return out;
}

}  // namespace authmilter::authres
