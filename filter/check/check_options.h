// check_options.h - authmilter-check's command line.
//
//   authmilter-check [--config PATH] --client-ip IP --helo NAME --mail-from ADDR
//                    [--rcpt ADDR]... [--json] MESSAGE-FILE
//   authmilter-check [--config PATH] --smtp HOST:PORT [--rcpt ADDR] [--postfix-config DIR]
//   authmilter-check --history [--since T] [--until T] [--config CANDIDATE] [--running PATH]
//                    [--json]   (run_history.h; T: history_time.h)
// parse_check_options() never exits; the caller prints `error` and the usage text when it is
// set. --mail-from '' is the null reverse-path <> (angle brackets around ADDR are removed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/ip_address.h"

namespace authmilter::check {

struct CheckOptions {
  std::string config_path;
  std::optional<net::IpAddress> client_ip;
  std::string helo;
  std::optional<std::string> mail_from;  // required; "" = null sender
  std::vector<std::string> recipients;
  bool json = false;
  bool show_help = false;
  std::string message_path;
  std::string smtp_address;        // --smtp: probe the running MTA (run_probe.h) instead
  std::string postfix_config_dir;  // --postfix-config: a non-default Postfix instance
  // --history: replay the store's records under --config (the candidate) against --running
  bool history = false;
  std::string running_config_path;  // default: the default config path
  std::int64_t since = 0;           // default: 7 days before now
  std::int64_t until = 0;           // default: now + 1 (exclusive)
  std::string since_text = "7d";
  std::string until_text = "now";
  std::string error;  // non-empty: the arguments were wrong
};

CheckOptions parse_check_options(int argc, char** argv, const std::string& default_config);
const char* check_usage_text();

}  // namespace authmilter::check
