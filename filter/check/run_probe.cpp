#include "check/run_probe.h"

#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "check/probe_diagnosis.h"
#include "check/smtp_probe.h"
#include "conf/config.h"
#include "daemon/probe_token.h"
#include "dns/owned_fd.h"

namespace authmilter::check {

namespace {

constexpr const char* kPostconf = "/usr/sbin/postconf";

int fail(const std::string& message, int code) {
  std::fprintf(stderr, "authmilter-check: %s\n", message.c_str());
  return code;
}

// "" when we can connect to the daemon's socket ourselves, else why not.
std::string socket_problem(const conf::SocketSpec& socket) {
  if (socket.kind == conf::SocketSpec::Kind::unix_path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket.path.size() >= sizeof address.sun_path) return "socket path too long";
    std::memcpy(address.sun_path, socket.path.c_str(), socket.path.size() + 1);
    dns::OwnedFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0 ||
        connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      return "connect " + socket.path + ": " + std::strerror(errno);
    return "";
  }
  const std::string host =
      socket.host.empty() ? (socket.kind == conf::SocketSpec::Kind::inet6 ? "::1" : "127.0.0.1")
                          : socket.host;
  addrinfo hints{}, *found = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host.c_str(), std::to_string(socket.port).c_str(), &hints, &found) != 0)
    return "cannot resolve " + host;
  std::string problem = "connect " + host + " port " + std::to_string(socket.port) + ": ";
  for (addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    dns::OwnedFd fd(::socket(entry->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() >= 0 && connect(fd.get(), entry->ai_addr, entry->ai_addrlen) == 0) {
      problem.clear();
      break;
    }
    if (entry->ai_next == nullptr) problem += std::strerror(errno);
  }
  freeaddrinfo(found);
  return problem;
}

// Whether `user` may open the unix socket at path: search on every directory above it, write
// on the socket. "" when it may (or when that cannot be judged), else why not.
std::string access_problem(const std::string& path, const std::string& user) {
  const passwd* entry = getpwnam(user.c_str());
  if (entry == nullptr) return "";
  const uid_t uid = entry->pw_uid;
  std::vector<gid_t> groups(64);
  int count = static_cast<int>(groups.size());
  if (getgrouplist(user.c_str(), entry->pw_gid, groups.data(), &count) < 0) return "";
  groups.resize(static_cast<std::size_t>(count));
  const auto allowed = [&](const struct stat& info, mode_t owner_bit, mode_t group_bit,
                           mode_t other_bit) {
    if (uid == 0) return true;
    if (info.st_uid == uid) return (info.st_mode & owner_bit) != 0;
    if (std::find(groups.begin(), groups.end(), info.st_gid) != groups.end())
      return (info.st_mode & group_bit) != 0;
    return (info.st_mode & other_bit) != 0;
  };
  const auto describe = [](const std::string& what, const struct stat& info) {
    const group* owner_group = getgrgid(info.st_gid);
    const passwd* owner = getpwuid(info.st_uid);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return what + " (mode " + mode + ", owner " + (owner ? owner->pw_name : "?") + ", group " +
           (owner_group ? owner_group->gr_name : "?") + ")";
  };
  for (std::size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string directory = path.substr(0, slash);
    struct stat info {};
    if (stat(directory.c_str(), &info) != 0) return "";
    if (!allowed(info, S_IXUSR, S_IXGRP, S_IXOTH))
      return "the " + user + " user cannot enter " + describe(directory, info) +
             "; give the directory to the socket group (socket_group) with mode 0750";
  }
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return "";
  if (!allowed(info, S_IWUSR, S_IWGRP, S_IWOTH))
    return "the " + user + " user cannot write to the socket " + describe(path, info) +
           "; set socket_group: postfix and socket_mode: \"0660\" in authmilter.yaml";
  return "";
}

bool split_host_port(const std::string& text, std::string& host, int& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string digits = text.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  port = std::atoi(digits.c_str());
  return port > 0 && port < 65536;
}

void print_diagnosis(const conf::Config& config, const CheckOptions& options, int port) {
  ProbeFacts facts;
  facts.socket = config.daemon.socket;
  facts.probed_port = port;
  facts.socket_problem = socket_problem(config.daemon.socket);
  if (access(kPostconf, X_OK) == 0) {
    auto postfix = read_postfix_facts(kPostconf, options.postfix_config_dir);
    if (postfix.ok())
      facts.postfix = std::move(*postfix);
    else
      facts.postfix_problem = postfix.error();
  } else {
    facts.postfix_problem = std::string(kPostconf) + " not found";
  }
  std::string milter_default_action;
  if (facts.postfix) {
    const auto& main_cf = facts.postfix->main_cf;
    const PostfixService* service = facts.postfix->smtpd_on_port(port);
    milter_default_action = service ? service->param(main_cf, "milter_default_action")
                            : main_cf.count("milter_default_action")
                                ? main_cf.at("milter_default_action")
                                : "";
    if (config.daemon.socket.kind == conf::SocketSpec::Kind::unix_path &&
        main_cf.count("mail_owner"))
      facts.access_problem = access_problem(config.daemon.socket.path, main_cf.at("mail_owner"));
  }
  const auto causes = likely_causes(facts);
  std::printf("Likely causes:\n");
  for (const auto& cause : causes) std::printf("  - %s\n", cause.c_str());
  if (causes.empty())
    std::printf(
        "  - none visible from here: look for \"milter\" in the MTA's log (journalctl -u "
        "postfix, /var/log/mail.log); if authmilter's log says \"%s header without a "
        "valid token\", it runs with another probe_key_file than %s\n",
        daemon::kProbeHeaderName, config.file.c_str());
  if (milter_default_action == "accept")
    std::printf(
        "milter_default_action = accept: while Postfix cannot reach authmilter it passes "
        "mail on unchecked (no Authentication-Results header). tempfail makes senders "
        "retry instead, so no mail gets past unchecked, at the cost of delaying all "
        "inbound mail while authmilter is down.\n");
}

}  // namespace

int run_probe(const CheckOptions& options) {
  auto config = conf::load_config(options.config_path);
  if (!config.ok()) return fail(config.error(), EX_CONFIG);
  std::string host;
  int port = 0;
  if (!split_host_port(options.smtp_address, host, port))
    return fail("--smtp: expected HOST:PORT, e.g. 127.0.0.1:25", EX_USAGE);
  if (config->daemon.probe_key_file.empty())
    return fail(config->file +
                    ": probe_key_file is empty, so the daemon refuses no probe: set it "
                    "and restart authmilter",
                EX_CONFIG);
  auto key = daemon::ProbeKey::load(config->daemon.probe_key_file);
  if (!key.ok())
    return fail(key.error() + " (the daemon creates it at start; run this as root)", EX_NOPERM);
  const std::string recipient = options.recipients.empty() ? "postmaster" : options.recipients[0];
  const std::string nonce = daemon::ProbeKey::new_nonce();
  std::printf("Probe %s: MAIL FROM:<> RCPT TO:<%s> through %s:%d\n", nonce.c_str(),
              recipient.c_str(), host.c_str(), port);
  auto exchange =
      send_probe(host, port, recipient, probe_message(key->header_value(nonce), nonce, recipient));
  if (!exchange.ok()) {
    std::printf("FAILED: cannot talk to the MTA at %s:%d: %s\n", host.c_str(), port,
                exchange.error().c_str());
    return EX_UNAVAILABLE;
  }
  const std::string marker = "authmilter probe " + nonce + " seen";
  const auto seen = exchange->text.find(marker);
  if (seen != std::string::npos) {
    std::printf("OK: authmilter answered through the MTA (at %s: %d). The header it adds:\n",
                exchange->stage.c_str(), exchange->code);
    const auto skipped = exchange->text.find("checks skipped for this client", seen);
    if (skipped != std::string::npos)
      std::printf(
          "Note: %s\n",
          exchange->text.substr(skipped, exchange->text.find(';', skipped) - skipped).c_str());
    const auto header = exchange->text.find("Authentication-Results:", seen);
    if (header != std::string::npos) std::printf("%s\n", exchange->text.substr(header).c_str());
    return EX_OK;
  }
  if (exchange->accepted())
    std::printf(
        "NOT FILTERED: the MTA accepted the probe without authmilter (%d %s): mail "
        "reaching this port is delivered unchecked. The probe went to <%s>; its text "
        "says what it is.\n",
        exchange->code, exchange->text.c_str(), recipient.c_str());
  else
    std::printf(
        "NO ANSWER FROM AUTHMILTER: the MTA answered %d %s at %s, not with authmilter's "
        "probe reply (Postfix answers 451 4.7.1 when milter_default_action = tempfail "
        "and it cannot reach the milter; other refusals come from the MTA's own "
        "restrictions).\n",
        exchange->code, exchange->text.c_str(), exchange->stage.c_str());
  print_diagnosis(*config, options, port);
  return 1;
}

}  // namespace authmilter::check
