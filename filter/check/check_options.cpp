#include "check/check_options.h"

#include <ctime>
#include <string_view>

#include "check/history_time.h"

namespace authmilter::check {

namespace {

std::string without_angle_brackets(std::string text) {
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>')
    text = text.substr(1, text.size() - 2);
  return text;
}

// Stores the value of an option that takes one; false (with error set) when it is missing.
bool take_value(int argc, char** argv, int& i, std::string& out, CheckOptions& options) {
  if (i + 1 >= argc) {
    options.error = std::string(argv[i]) + " needs a value";
    return false;
  }
  out = argv[++i];
  return true;
}

bool apply_option(int argc, char** argv, int& i, CheckOptions& options) {
  const std::string_view name = argv[i];
  std::string value;
  if (name == "--json") {
    options.json = true;
  } else if (name == "--help" || name == "-h") {
    options.show_help = true;
  } else if (name == "--config" || name == "-c") {
    return take_value(argc, argv, i, options.config_path, options);
  } else if (name == "--history") {
    options.history = true;
  } else if (name == "--running") {
    return take_value(argc, argv, i, options.running_config_path, options);
  } else if (name == "--since") {
    return take_value(argc, argv, i, options.since_text, options);
  } else if (name == "--until") {
    return take_value(argc, argv, i, options.until_text, options);
  } else if (name == "--smtp") {
    return take_value(argc, argv, i, options.smtp_address, options);
  } else if (name == "--postfix-config") {
    return take_value(argc, argv, i, options.postfix_config_dir, options);
  } else if (name == "--helo") {
    return take_value(argc, argv, i, options.helo, options);
  } else if (name == "--client-ip") {
    if (!take_value(argc, argv, i, value, options)) return false;
    options.client_ip = net::IpAddress::parse(value);
    if (!options.client_ip) options.error = "--client-ip: '" + value + "' is not an IP address";
  } else if (name == "--mail-from") {
    if (!take_value(argc, argv, i, value, options)) return false;
    options.mail_from = without_angle_brackets(value);
  } else if (name == "--rcpt") {
    if (!take_value(argc, argv, i, value, options)) return false;
    options.recipients.push_back(without_angle_brackets(value));
  } else {
    options.error = "unknown option '" + std::string(name) + "'";
  }
  return options.error.empty();
}

// --since/--until to unix seconds; the window is [since, until).
void finish_history_options(CheckOptions& options, const std::string& default_config) {
  if (options.running_config_path.empty()) options.running_config_path = default_config;
  if (!options.message_path.empty() || !options.smtp_address.empty()) {
    options.error = "--history reads the store: no message file, no --smtp";
    return;
  }
  const std::int64_t now = std::time(nullptr);
  const auto since = parse_history_time(options.since_text, now);
  const auto until = options.until_text == "now" ? std::optional<std::int64_t>(now + 1)
                                                 : parse_history_time(options.until_text, now);
  if (!since)
    options.error = "--since: '" + options.since_text +
                    "' is not unix seconds, YYYY-MM-DD or an age like 7d, 24h, 30m";
  else if (!until)
    options.error = "--until: '" + options.until_text +
                    "' is not unix seconds, YYYY-MM-DD or an age like 7d, 24h, 30m";
  else if (*since >= *until)
    options.error = "--since must be before --until";
  else {
    options.since = *since;
    options.until = *until;
  }
}

}  // namespace

CheckOptions parse_check_options(int argc, char** argv, const std::string& default_config) {
  CheckOptions options;
  options.config_path = default_config;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument.size() > 1 && argument.front() == '-') {
      if (!apply_option(argc, argv, i, options)) return options;
    } else if (options.message_path.empty()) {
      options.message_path = argument;
    } else {
      options.error = "only one message file may be given";
      return options;
    }
  }
  if (options.show_help) return options;
  if (options.history) {
    finish_history_options(options, default_config);
    return options;
  }
  if (!options.smtp_address.empty()) {
    // The probe writes the recipient into RCPT TO: one plain address, nothing that could end
    // the command or add a parameter.
    for (const auto& recipient : options.recipients)
      if (recipient.empty() || recipient.find_first_of("\r\n<> \t") != std::string::npos)
        options.error = "--rcpt: '" + recipient + "' is not a plain address";
    if (options.recipients.size() > 1) options.error = "--smtp takes at most one --rcpt";
    if (!options.message_path.empty()) options.error = "--smtp sends its own message: no file";
    return options;
  }
  if (!options.client_ip)
    options.error = "--client-ip is required";
  else if (options.helo.empty())
    options.error = "--helo is required";
  else if (!options.mail_from)
    options.error = "--mail-from is required ('' for the null sender)";
  else if (options.message_path.empty())
    options.error = "a message file is required";
  return options;
}

const char* check_usage_text() {
  return "usage: authmilter-check [--config PATH] --client-ip IP --helo NAME --mail-from ADDR\n"
         "                        [--rcpt ADDR]... [--json] MESSAGE-FILE\n"
         "  Runs the daemon's checks (same configuration, same resolver) on a stored message\n"
         "  and prints the Authentication-Results header, the disposition and why.\n"
         "  --mail-from ''   the null reverse-path <>\n"
         "  --json           print one JSON object instead of text\n"
         "\n"
         "       authmilter-check [--config PATH] --smtp HOST:PORT [--rcpt ADDR]\n"
         "                        [--postfix-config DIR]\n"
         "  Sends one probe message through the running MTA (default recipient postmaster)\n"
         "  and reports whether authmilter answered it; if not, names the likely causes\n"
         "  (socket unreachable from Postfix's chroot, permissions, milter settings).\n"
         "  Run as root: the probe is signed with the daemon's probe_key_file.\n"
         "  Exit 0: authmilter answered; 1: it did not; 69: the MTA could not be reached.\n"
         "\n"
         "       authmilter-check --history [--since T] [--until T] [--config CANDIDATE]\n"
         "                        [--running PATH] [--json]\n"
         "  Decides every message recorded in the store (read-only, no DNS) again under the\n"
         "  candidate's local policy and prints the accept/quarantine/reject/tempfail table\n"
         "  (recorded -> candidate), the policy domains that change most with examples, and\n"
         "  which changed settings it could not replay. Without --config: a summary of the\n"
         "  running config's last 7 days. The store is the running config's store.url.\n"
         "  T: unix seconds, YYYY-MM-DD (UTC), or an age: 7d, 24h, 30m. Default --since 7d.\n";
}

}  // namespace authmilter::check
