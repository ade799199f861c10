#include "check/probe_diagnosis.h"

#include <cstdlib>

namespace authmilter::check {

namespace {

std::string normalized_path(const std::string& path) {
  std::string out;
  for (char c : path)
    if (!(c == '/' && !out.empty() && out.back() == '/')) out += c;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string unix_path_of(const std::string& address) {
  for (const char* prefix : {"unix:", "local:"})
    if (address.starts_with(prefix)) return address.substr(std::string(prefix).size());
  return "";
}

// inet:host:port -> port; 0 when it is not an inet address.
int inet_port_of(const std::string& address) {
  if (!address.starts_with("inet:") && !address.starts_with("inet6:")) return 0;
  const auto colon = address.rfind(':');
  return std::atoi(address.substr(colon + 1).c_str());
}

bool refers_to(const std::string& address, const conf::SocketSpec& socket,
               const std::string& queue_directory, bool chroot) {
  if (socket.kind == conf::SocketSpec::Kind::unix_path)
    return !unix_path_of(address).empty() &&
           host_path_of_milter(address, queue_directory, chroot) == normalized_path(socket.path);
  return inet_port_of(address) == static_cast<int>(socket.port);
}

std::string recommended_lines(const std::string& queue_directory) {
  return "put the socket in the queue directory (authmilter.yaml: socket: \"unix:" +
         queue_directory + "/authmilter/authmilter.sock\", socket_group: postfix) and name it " +
         "relative to it, which works chrooted or not: smtpd_milters = " +
         "unix:authmilter/authmilter.sock";
}

// Why one smtpd_milters address does not lead to authmilter.
std::string mismatch(const std::string& address, const ProbeFacts& facts,
                     const std::string& queue_directory, bool chroot,
                     const std::string& service_name) {
  const std::string path = unix_path_of(address);
  if (!path.empty()) {
    const std::string seen = host_path_of_milter(address, queue_directory, chroot);
    if (chroot && path.front() == '/' &&
        normalized_path(path) == normalized_path(facts.socket.path))
      return "smtpd (service " + service_name + ") runs chrooted in " + queue_directory +
             " (master.cf chroot column y), so smtpd_milters = " + address + " is looked for at " +
             seen + ", which does not exist; " + recommended_lines(queue_directory);
    return "smtpd_milters names " + address + ", which Postfix opens as " + seen +
           "; authmilter listens on " + facts.socket.to_libmilter() +
           (facts.socket.kind == conf::SocketSpec::Kind::unix_path
                ? ""
                : " (Postfix spelling: inet:127.0.0.1:" + std::to_string(facts.socket.port) + ")");
  }
  return "smtpd_milters names " + address + ", but authmilter listens on " +
         facts.socket.to_libmilter();
}

}  // namespace

std::string host_path_of_milter(const std::string& address, const std::string& queue_directory,
                                bool chroot) {
  const std::string path = unix_path_of(address);
  if (path.empty()) return "";
  if (path.front() != '/') return normalized_path(queue_directory + "/" + path);
  return normalized_path(chroot ? queue_directory + path : path);
}

std::vector<std::string> milter_addresses(const std::string& value) {
  std::vector<std::string> addresses;
  std::string current;
  bool in_braces = false, first_in_braces = false;
  auto flush = [&] {
    if (!current.empty() && (!in_braces || first_in_braces)) addresses.push_back(current);
    if (!current.empty() && in_braces) first_in_braces = false;
    current.clear();
  };
  for (char c : value) {
    if (c == '{') {
      flush();
      in_braces = first_in_braces = true;
    } else if (c == '}') {
      flush();
      in_braces = false;
    } else if (c == ',' || c == ' ' || c == '\t' || c == '\n') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return addresses;
}

std::vector<std::string> likely_causes(const ProbeFacts& facts) {
  std::vector<std::string> causes;
  if (!facts.socket_problem.empty())
    causes.push_back(
        "authmilter is not answering on " + facts.socket.to_libmilter() + " (" +
        facts.socket_problem +
        "): is it running? (systemctl status authmilter; its log says why it stopped)");
  if (!facts.postfix) {
    causes.push_back("cannot read Postfix's settings (" + facts.postfix_problem +
                     "); with another MTA, check that it calls the milter at " +
                     facts.socket.to_libmilter());
    return causes;
  }
  const PostfixFacts& postfix = *facts.postfix;
  const auto main_value = [&](const std::string& name) {
    auto found = postfix.main_cf.find(name);
    return found != postfix.main_cf.end() ? found->second : std::string();
  };
  const std::string queue_directory = main_value("queue_directory");
  const PostfixService* service = postfix.smtpd_on_port(facts.probed_port);
  const std::string service_name = service ? service->name : "smtp";
  const bool chroot = service ? service->chroot : false;
  const auto param = [&](const std::string& name) {
    return service ? service->param(postfix.main_cf, name) : main_value(name);
  };
  if (service == nullptr)
    causes.push_back("no smtpd service in master.cf listens on port " +
                     std::to_string(facts.probed_port) +
                     " (is another MTA there?); judging by main.cf alone");
  const auto addresses = milter_addresses(param("smtpd_milters"));
  bool reaches_authmilter = false;
  for (const auto& address : addresses)
    reaches_authmilter =
        reaches_authmilter || refers_to(address, facts.socket, queue_directory, chroot);
  if (addresses.empty()) {
    causes.push_back(
        "smtpd_milters is empty for service " + service_name +
        ": Postfix calls no milter; add smtpd_milters = " +
        std::string(facts.socket.kind == conf::SocketSpec::Kind::unix_path
                        ? "unix:authmilter/authmilter.sock (socket inside " + queue_directory + ")"
                        : "inet:127.0.0.1:" + std::to_string(facts.socket.port)) +
        " to main.cf and run postfix reload");
  } else if (!reaches_authmilter) {
    for (const auto& address : addresses)
      causes.push_back(mismatch(address, facts, queue_directory, chroot, service_name));
  }
  if (!facts.access_problem.empty()) causes.push_back(facts.access_problem);
  const std::string protocol = param("milter_protocol");
  if (!protocol.empty() && std::atoi(protocol.c_str()) < 6)
    causes.push_back("milter_protocol = " + protocol +
                     ": authmilter needs 6 (header deletion and insertion at a position)");
  return causes;
}

}  // namespace authmilter::check
