// yaml_section.h - strict, typed reading of one YAML mapping of the config file.
//
// Every getter marks its key as known; check_unknown_keys() then rejects anything else, so a typo
// is an error instead of a silently ignored setting. All errors are ConfigError exceptions whose
// text is "file:line:col: key: message" (1-based line and column, key as a dotted path). Exceptions
// are used only here, at start-up and on reload, never on a message's path.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace authmilter::conf {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class YamlSection {
 public:
  // node must be a map (or null, read as empty); path is the dotted key of this section ("" = top).
  YamlSection(YAML::Node node, std::string file, std::string path);

  bool has(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& fallback);
  bool get_bool(const std::string& key, bool fallback);
  long get_integer(const std::string& key, long fallback, long min, long max);
  std::vector<std::string> get_string_list(const std::string& key);
  // A nested mapping; an absent key gives an empty section (so defaults apply).
  YamlSection section(const std::string& key);

  // Throws ConfigError for the first key that no getter asked for.
  void check_unknown_keys() const;
  // Throws ConfigError pointing at key (or at this section when the key is absent).
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  YAML::Node value_of(const std::string& key);
  std::string dotted(const std::string& key) const;
  [[noreturn]] void fail_at(const YAML::Mark& mark, const std::string& key,
                            const std::string& message) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::set<std::string> known_;
};

}  // namespace authmilter::conf
