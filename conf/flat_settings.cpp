// flat_settings.cpp - YAML -> dotted setting paths; see flat_settings.h.
#include "conf/flat_settings.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace authmilter::conf {

namespace {

std::string flow_text(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

// Top-level keys and the keys of a top-level section are paths; anything deeper is one value.
void flatten(const YAML::Node& node, const std::string& path, int depth, FlatSettings& out) {
  if (node.IsMap() && depth < 2) {
    for (const auto& entry : node)
      flatten(
          entry.second,
          path.empty() ? entry.first.as<std::string>() : path + "." + entry.first.as<std::string>(),
          depth + 1, out);
    return;
  }
  out[path] = node.IsScalar() ? node.as<std::string>() : flow_text(node);
}

}  // namespace

Result<FlatSettings> flat_settings_text(const std::string& text) {
  try {
    const YAML::Node root = YAML::Load(text);
    FlatSettings settings;
    if (root.IsMap()) flatten(root, "", 0, settings);
    return settings;
  } catch (const YAML::Exception& error) {
    return Error{std::string("YAML: ") + error.what()};
  }
}

Result<FlatSettings> flat_settings(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{path + ": cannot read"};
  std::ostringstream text;
  text << in.rdbuf();
  auto settings = flat_settings_text(text.str());
  if (!settings) return Error{path + ": " + settings.error()};
  return settings;
}

}  // namespace authmilter::conf
