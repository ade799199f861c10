#include "authres/parse.h"

#include <climits>
#include <optional>

#include "authres/field_scanner.h"
#include "authres/grammar.h"
#include "common/ascii.h"

namespace authmilter::authres {
namespace {

// authres-version and method-version are 1*DIGIT; more than fits an int is not a version.
constexpr std::size_t kMaxVersionDigits = 10;

// One parse: a scanner plus the first error met. Each step returns false after recording it.
class AuthresParser {
 public:
  explicit AuthresParser(std::string_view text) : scanner_(text) {}

  Result<AuthenticationResults> run();

 private:
  bool fail(std::string_view what) {
    error_ = std::string(what) + " at offset " + std::to_string(scanner_.position());
    return false;
  }
  bool skip(std::vector<std::string>* comments = nullptr, Cfws* state = nullptr);
  std::optional<int> read_version();
  bool parse_header(AuthenticationResults& out);
  bool parse_resinfos(std::vector<MethodResult>& results);
  bool parse_methodspec(std::string_view method, MethodResult& result);
  bool parse_resinfo_tail(MethodResult& result);
  bool parse_reason_or_property(MethodResult& result, bool& saw_reason);

  FieldScanner scanner_;
  std::string error_;
};

Result<AuthenticationResults> AuthresParser::run() {
  AuthenticationResults out;
  if (!parse_header(out) || !parse_resinfos(out.results)) return Error{error_};
  return out;
}

bool AuthresParser::skip(std::vector<std::string>* comments, Cfws* state) {
  const Cfws skipped = scanner_.skip_cfws(comments);
  if (state != nullptr) *state = skipped;
  return skipped != Cfws::malformed || fail("unbalanced or too deeply nested comment");
}

std::optional<int> AuthresParser::read_version() {
  const std::string_view digits = scanner_.read_digits();
  if (digits.empty() || digits.size() > kMaxVersionDigits) return std::nullopt;
  long long value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  if (value > INT_MAX) return std::nullopt;
  return static_cast<int>(value);
}

// [CFWS] authserv-id [ CFWS authres-version ]
bool AuthresParser::parse_header(AuthenticationResults& out) {
  if (!skip()) return false;
  const std::optional<std::string> id = scanner_.read_value();
  if (!id || id->empty()) return fail("missing authserv-id");
  out.authserv_id = lower_ascii(*id);
  Cfws gap = Cfws::none;
  if (!skip(nullptr, &gap)) return false;
  if (!grammar::is_digit(static_cast<unsigned char>(scanner_.peek()))) return true;
  if (gap == Cfws::none) return fail("authserv-id not followed by CFWS or ';'");
  const std::optional<int> version = read_version();
  if (!version) return fail("authres-version out of range");
  out.version = *version;
  return skip();
}

// ( no-result / 1*resinfo ), each introduced by ';'.
bool AuthresParser::parse_resinfos(std::vector<MethodResult>& results) {
  bool saw_none = false;
  if (scanner_.at_end()) return fail("missing ';' after authserv-id");
  while (!scanner_.at_end()) {
    if (!scanner_.consume(';')) return fail("expected ';'");
    if (!skip()) return false;
    if (scanner_.at_end()) {
      // A trailing ';' is tolerated, but only after something.
      return (saw_none || !results.empty()) || fail("no result after ';'");
    }
    if (saw_none) return fail("\"none\" must be the only result");
    const std::string_view method = scanner_.read_keyword();
    if (method.empty()) return fail("expected a method");
    if (!skip()) return false;
    if (lower_ascii(method) == "none" && (scanner_.at_end() || scanner_.peek() == ';')) {
      if (!results.empty()) return fail("\"none\" among results");
      saw_none = true;
      continue;
    }
    if (results.size() >= kMaxResinfos) return fail("too many resinfos");
    MethodResult result;
    if (!parse_methodspec(method, result) || !parse_resinfo_tail(result)) return false;
    results.push_back(std::move(result));
  }
  return true;
}

// method [ [CFWS] "/" [CFWS] method-version ] [CFWS] "=" [CFWS] result; method already read.
bool AuthresParser::parse_methodspec(std::string_view method, MethodResult& result) {
  result.method = lower_ascii(method);
  if (scanner_.consume('/')) {
    if (!skip()) return false;
    const std::optional<int> version = read_version();
    if (!version) return fail("bad method-version");
    result.method_version = *version;
    if (!skip()) return false;
  }
  if (!scanner_.consume('=')) return fail("expected '=' after method");
  if (!skip()) return false;
  const std::string_view value = scanner_.read_keyword();
  if (value.empty()) return fail("expected a result");
  result.result = lower_ascii(value);
  return true;
}

// [ CFWS reasonspec ] [ CFWS 1*propspec ], up to the next ';' or the end.
bool AuthresParser::parse_resinfo_tail(MethodResult& result) {
  bool saw_reason = false;
  for (bool first = true;; first = false) {
    std::vector<std::string> comments;
    Cfws gap = Cfws::none;
    if (!skip(&comments, &gap)) return false;
    if (first && !comments.empty()) result.comment = std::move(comments.front());
    if (scanner_.at_end() || scanner_.peek() == ';') return true;
    if (gap == Cfws::none) return fail("expected CFWS before reason or property");
    if (!parse_reason_or_property(result, saw_reason)) return false;
  }
}

// reasonspec = "reason" [CFWS] "=" [CFWS] value
// propspec   = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
bool AuthresParser::parse_reason_or_property(MethodResult& result, bool& saw_reason) {
  const std::string_view ptype = scanner_.read_keyword();
  if (ptype.empty()) return fail("expected reason or property");
  if (!skip()) return false;
  if (lower_ascii(ptype) == "reason" && scanner_.consume('=')) {
    if (saw_reason) return fail("second reason");
    saw_reason = true;
    if (!skip()) return false;
    std::optional<std::string> reason = scanner_.read_value();
    if (!reason) return fail("reason without a value");
    result.reason = std::move(*reason);
    return true;
  }
  if (!scanner_.consume('.')) return fail("expected '.' in property");
  if (!skip()) return false;
  const std::string_view name = scanner_.read_keyword();
  if (name.empty()) return fail("expected a property name");
  if (!skip()) return false;
  if (!scanner_.consume('=')) return fail("expected '=' after property");
  if (!skip()) return false;
  std::optional<std::string> value = scanner_.read_pvalue();
  if (!value) return fail("expected a property value");
  if (result.properties.size() >= kMaxPropertiesPerResinfo) return fail("too many properties");
  result.properties.push_back({lower_ascii(ptype), lower_ascii(name), std::move(*value)});
  return true;
}

}  // namespace

Result<AuthenticationResults> parse_authres(std::string_view field_value) {
  if (field_value.size() > kMaxFieldValueLength) return Error{"field value too long"};
  return AuthresParser(field_value).run();
}

}  // namespace authmilter::authres
