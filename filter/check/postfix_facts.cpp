#include "check/postfix_facts.h"

#include <netdb.h>

#include <cstdlib>
#include <sstream>

#include "check/program_output.h"

namespace authmilter::check {

namespace {

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string> fields_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

}  // namespace

std::optional<int> PostfixService::tcp_port() const {
  if (type != "inet") return std::nullopt;
  const auto colon = name.rfind(':');
  const std::string port = colon == std::string::npos ? name : name.substr(colon + 1);
  if (!port.empty() && port.find_first_not_of("0123456789") == std::string::npos &&
      port.size() <= 5)
    return std::atoi(port.c_str());
  if (const servent* entry = getservbyname(port.c_str(), "tcp")) return ntohs(entry->s_port);
  return std::nullopt;
}

std::string PostfixService::param(const std::map<std::string, std::string>& main_cf,
                                  const std::string& name_of_param) const {
  if (auto found = params.find(name_of_param); found != params.end()) return found->second;
  auto found = main_cf.find(name_of_param);
  return found != main_cf.end() ? found->second : "";
}

const PostfixService* PostfixFacts::smtpd_on_port(int port) const {
  for (const auto& entry : services)
    if (entry.command == "smtpd" && entry.tcp_port() == port) return &entry;
  return nullptr;
}

const PostfixService* PostfixFacts::service(const std::string& name,
                                            const std::string& type) const {
  for (const auto& entry : services)
    if (entry.name == name && entry.type == type) return &entry;
  return nullptr;
}

std::map<std::string, std::string> parse_postconf_parameters(const std::string& output) {
  std::map<std::string, std::string> parameters;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    const auto equals = line.find(" = ");
    if (equals != std::string::npos)
      parameters[trimmed(line.substr(0, equals))] = trimmed(line.substr(equals + 3));
    else if (line.size() > 2 && line.ends_with(" ="))  // an empty value prints as "name ="
      parameters[trimmed(line.substr(0, line.size() - 2))] = "";
  }
  return parameters;
}

std::vector<PostfixService> parse_postconf_services(const std::string& master_output,
                                                    const std::string& params_output) {
  std::vector<PostfixService> services;
  std::istringstream master(master_output);
  for (std::string line; std::getline(master, line);) {
    if (line.empty() || line[0] == ' ' || line[0] == '\t' || line[0] == '#') continue;
    const auto fields = fields_of(line);
    if (fields.size() < 8) continue;
    // Columns: service type private unpriv chroot wakeup maxproc command. Postfix's built-in
    // chroot default ("-") is n.
    services.push_back({.name = fields[0],
                        .type = fields[1],
                        .chroot = fields[4] == "y",
                        .command = fields[7],
                        .params = {}});
  }
  // postconf -P: "service/type/parameter = value".
  std::istringstream params(params_output);
  for (std::string line; std::getline(params, line);) {
    const auto equals = line.find(" =");
    if (equals == std::string::npos) continue;
    const std::string key = line.substr(0, equals);
    const auto first = key.find('/'), second = key.find('/', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string value = equals + 3 <= line.size() ? trimmed(line.substr(equals + 2)) : "";
    for (auto& entry : services)
      if (entry.name == key.substr(0, first) &&
          entry.type == key.substr(first + 1, second - first - 1))
        entry.params[key.substr(second + 1)] = value;
  }
  return services;
}

Result<PostfixFacts> read_postfix_facts(const std::string& postconf_path,
                                        const std::string& config_dir) {
  std::vector<std::string> base = {postconf_path};
  if (!config_dir.empty()) base.insert(base.end(), {"-c", config_dir});
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  };
  std::vector<std::string> names = {"-x"};
  names.insert(names.end(), kPostfixParameters.begin(), kPostfixParameters.end());
  auto parameters = program_output(with(names));
  if (!parameters.ok()) return Error{parameters.error()};
  auto master = program_output(with({"-M"}));
  if (!master.ok()) return Error{master.error()};
  auto overrides = program_output(with({"-P", "-x"}));
  if (!overrides.ok()) return Error{overrides.error()};
  return PostfixFacts{parse_postconf_parameters(*parameters),
                      parse_postconf_services(*master, *overrides)};
}

}  // namespace authmilter::check
