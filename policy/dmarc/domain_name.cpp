#include "dmarc/domain_name.h"

#include <cctype>

namespace authmilter::dmarc {

namespace {

bool is_label_char(unsigned char c) {
  // '_' appears in real names (e.g. _dmarc, service labels); DMARC never registers it as a
  // host, but rejecting it would make such From domains unparseable rather than evaluated.
  return std::isalnum(c) != 0 || c == '-' || c == '_';
}

}  // namespace

std::optional<std::string> normalize_domain(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > kMaxDomainNameLength) return std::nullopt;
  std::string out;
  out.reserve(name.size());
  std::size_t label_length = 0;
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '.') {
      if (label_length == 0) return std::nullopt;  // empty label: "a..b" or ".a"
      label_length = 0;
      out.push_back('.');
      continue;
    }
    if (!is_label_char(c) || ++label_length > kMaxLabelLength) return std::nullopt;
    out.push_back(static_cast<char>(std::tolower(c)));
  }
  if (label_length == 0) return std::nullopt;
  return out;
}

std::vector<std::string_view> split_labels(std::string_view domain) {
  std::vector<std::string_view> labels;
  while (!domain.empty()) {
    const auto dot = domain.find('.');
    labels.push_back(domain.substr(0, dot));
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  return labels;
}

std::size_t label_count(std::string_view domain) {
  return split_labels(domain).size();
}

std::string last_labels(std::string_view domain, std::size_t count) {
  const auto labels = split_labels(domain);
  if (count >= labels.size()) return std::string(domain);
  const std::size_t first = labels.size() - count;
  const auto offset = static_cast<std::size_t>(labels[first].data() - domain.data());
  return std::string(domain.substr(offset));
}

}  // namespace authmilter::dmarc
