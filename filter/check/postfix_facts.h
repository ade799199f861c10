// postfix_facts.h - how the local Postfix calls milters, as `postconf` reports it.
//
// Read for authmilter-check --smtp's diagnosis: main.cf's milter settings, every master.cf
// service (its chroot flag and its -o overrides), all with $name expanded (postconf -x).
// parse_* are pure (unit-tested on postconf's output); read_postfix_facts() runs postconf.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace authmilter::check {

struct PostfixService {
  std::string name;  // "smtp", "127.0.0.1:2525", "submission", "cleanup"
  std::string type;  // "inet", "unix", ...
  bool chroot = false;
  std::string command;                        // "smtpd"
  std::map<std::string, std::string> params;  // its -o overrides (postconf -P)

  std::optional<int> tcp_port() const;  // inet services only
  // A parameter as this service sees it: its override, else main.cf's value.
  std::string param(const std::map<std::string, std::string>& main_cf,
                    const std::string& name) const;
};

struct PostfixFacts {
  std::map<std::string, std::string> main_cf;  // the parameters named in kPostfixParameters
  std::vector<PostfixService> services;

  // The smtpd service a client reaches on port, if master.cf has exactly that listener.
  const PostfixService* smtpd_on_port(int port) const;
  const PostfixService* service(const std::string& name, const std::string& type) const;
};

inline const std::vector<std::string> kPostfixParameters = {
    "queue_directory", "smtpd_milters",         "non_smtpd_milters",
    "milter_protocol", "milter_default_action", "mail_owner"};

std::map<std::string, std::string> parse_postconf_parameters(const std::string& output);
std::vector<PostfixService> parse_postconf_services(const std::string& master_output,
                                                    const std::string& params_output);

// postconf_path: the postconf program; config_dir: a non-default instance ("" = default).
Result<PostfixFacts> read_postfix_facts(const std::string& postconf_path,
                                        const std::string& config_dir);

}  // namespace authmilter::check
