#include "conf/yaml_section.h"

#include <charconv>
#include <set>

namespace authmilter::conf {

YamlSection::YamlSection(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap())
    fail_at(node_.Mark(), path_.empty() ? "(top level)" : path_, "expected a mapping of keys");
}

bool YamlSection::has(const std::string& key) const {
  return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

YAML::Node YamlSection::value_of(const std::string& key) {
  known_.insert(key);
  if (!node_.IsMap()) return YAML::Node();
  return node_[key];
}

std::string YamlSection::get_string(const std::string& key, const std::string& fallback) {
  YAML::Node value = value_of(key);
  if (!value.IsDefined() || value.IsNull()) return fallback;
  if (!value.IsScalar()) fail_at(value.Mark(), dotted(key), "expected a string");
  return value.Scalar();
}

bool YamlSection::get_bool(const std::string& key, bool fallback) {
  YAML::Node value = value_of(key);
  if (!value.IsDefined() || value.IsNull()) return fallback;
  bool result = false;
  if (!value.IsScalar() || !YAML::convert<bool>::decode(value, result))
    fail_at(value.Mark(), dotted(key), "expected true or false");
  return result;
}

long YamlSection::get_integer(const std::string& key, long fallback, long min, long max) {
  YAML::Node value = value_of(key);
  if (!value.IsDefined() || value.IsNull()) return fallback;
  const std::string text = value.IsScalar() ? value.Scalar() : std::string();
  long result = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    fail_at(value.Mark(), dotted(key), "expected a whole number");
  if (result < min || result > max)
    fail_at(value.Mark(), dotted(key),
            "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return result;
}

std::vector<std::string> YamlSection::get_string_list(const std::string& key) {
  YAML::Node value = value_of(key);
  std::vector<std::string> result;
  if (!value.IsDefined() || value.IsNull()) return result;
  if (!value.IsSequence()) fail_at(value.Mark(), dotted(key), "expected a list");
  for (const auto& item : value) {
    if (!item.IsScalar()) fail_at(item.Mark(), dotted(key), "list items must be strings");
    result.push_back(item.Scalar());
  }
  return result;
}

YamlSection YamlSection::section(const std::string& key) {
  return YamlSection(value_of(key), file_, dotted(key));
}

void YamlSection::check_unknown_keys() const {
  if (!node_.IsMap()) return;
  // yaml-cpp keeps both entries of a repeated key and lookups find the first: a later line
  // meant to change a setting would be ignored without a word.
  std::set<std::string> seen;
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    if (known_.count(key) == 0) fail_at(entry.first.Mark(), dotted(key), "unknown key");
    if (!seen.insert(key).second) fail_at(entry.first.Mark(), dotted(key), "duplicate key");
  }
}

void YamlSection::fail(const std::string& key, const std::string& message) const {
  if (node_.IsMap()) {
    for (const auto& entry : node_)
      if (entry.first.Scalar() == key) fail_at(entry.second.Mark(), dotted(key), message);
  }
  fail_at(node_.Mark(), dotted(key), message);
}

std::string YamlSection::dotted(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void YamlSection::fail_at(const YAML::Mark& mark, const std::string& key,
                          const std::string& message) const {
  std::string where = file_;
  if (!mark.is_null())
    where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  throw ConfigError(where + ": " + key + ": " + message);
}

}  // namespace authmilter::conf
