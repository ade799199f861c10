// command_line.h - authmilter's options.
//
//   authmilter [--config PATH] [--foreground] [--check-config] [--version] [--help]
// parse_command_line() never exits; the caller prints `error` and usage when it is set.
#pragma once

#include <string>

namespace authmilter::daemon {

struct CommandLine {
  std::string config_path;
  bool foreground = false;
  bool check_config = false;
  bool show_version = false;
  bool show_help = false;
  std::string error;  // non-empty: the arguments were wrong
};

CommandLine parse_command_line(int argc, char** argv, const std::string& default_config);
const char* usage_text();

}  // namespace authmilter::daemon
