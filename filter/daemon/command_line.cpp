#include "daemon/command_line.h"

#include <string_view>

namespace authmilter::daemon {

CommandLine parse_command_line(int argc, char** argv, const std::string& default_config) {
  CommandLine line;
  line.config_path = default_config;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--foreground" || argument == "-f") {
      line.foreground = true;
    } else if (argument == "--check-config" || argument == "-n") {
      line.check_config = true;
    } else if (argument == "--version" || argument == "-V") {
      line.show_version = true;
    } else if (argument == "--help" || argument == "-h") {
      line.show_help = true;
    } else if (argument == "--config" || argument == "-c") {
      if (i + 1 >= argc) {
        line.error = "--config needs a path";
        return line;
      }
      line.config_path = argv[++i];
    } else if (argument.starts_with("--config=")) {
      line.config_path = std::string(argument.substr(9));
    } else {
      line.error = "unknown argument '" + std::string(argument) + "'";
      return line;
    }
  }
  return line;
}

const char* usage_text() {
  return "usage: authmilter [--config PATH] [--foreground] [--check-config] [--version]\n"
         "  --config PATH    configuration file (default /etc/authmilter/authmilter.yaml)\n"
         "  --foreground     stay in the foreground and log to stderr as well as syslog\n"
         "  --check-config   validate the configuration and exit (0 = valid)\n"
         "  --version        print the version and exit\n";
}

}  // namespace authmilter::daemon
