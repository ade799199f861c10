#include "arc/header_canonicalization.h"

#include <cctype>

namespace authmilter::arc {

namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

}  // namespace

const char* to_string(Canonicalization canonicalization) {
  return canonicalization == Canonicalization::simple ? "simple" : "relaxed";
}

std::string field_key(std::string_view name) {
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  std::string key;
  key.reserve(name.size());
  for (char c : name) key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return key;
}

std::string canonicalize_header(std::string_view name, std::string_view value,
                                Canonicalization canonicalization) {
  if (canonicalization == Canonicalization::simple) {
    std::string out;
    out.reserve(name.size() + value.size() + 3);
    out.append(name).append(":").append(value).append("\r\n");
    return out;
  }
  // Relaxed (§3.4.2): lower-case name, unfold, runs of WSP -> one SP, no WSP at either end of the
  // value, none between the name and the colon.
  std::string out = field_key(name);
  out.push_back(':');
  const std::size_t value_start = out.size();
  bool pending_space = false;
  for (std::size_t at = 0; at < value.size(); ++at) {
    const char c = value[at];
    if (c == '\r' && at + 1 < value.size() && value[at + 1] == '\n') {
      ++at;  // unfold: the CRLF goes, the WSP after it is kept (as a space)
      continue;
    }
    if (is_wsp(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space && out.size() > value_start) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  out.append("\r\n");
  return out;
}

std::string without_signature_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  std::size_t at = 0;
  bool emptied = false;
  while (at <= value.size()) {
    const std::size_t end = std::min(value.find(';', at), value.size());
    const std::string_view spec = value.substr(at, end - at);
    const std::size_t equals = spec.find('=');
    std::string_view tag_name = spec.substr(0, equals == std::string_view::npos ? 0 : equals);
    while (!tag_name.empty() && std::isspace(static_cast<unsigned char>(tag_name.front())) != 0) {
      tag_name.remove_prefix(1);
    }
    while (!tag_name.empty() && std::isspace(static_cast<unsigned char>(tag_name.back())) != 0) {
      tag_name.remove_suffix(1);
    }
    if (!emptied && equals != std::string_view::npos && tag_name == "b") {
      out.append(spec.substr(0, equals + 1));
      emptied = true;
    } else {
      out.append(spec);
    }
    if (end == value.size()) break;
    out.push_back(';');
    at = end + 1;
  }
  return out;
}

}  // namespace authmilter::arc
