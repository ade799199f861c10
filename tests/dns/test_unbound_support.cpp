#include "test_unbound_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace authmilter::testing {

namespace {

constexpr const char* kUnboundBinary = "/usr/sbin/unbound";
constexpr auto kStartupLimit = std::chrono::seconds(5);
constexpr auto kStopLimit = std::chrono::seconds(3);
constexpr int kStartAttempts = 3;  // a free port can be taken between probing and binding

}  // namespace

// A port on 127.0.0.1 that is free for both UDP and TCP right now (unbound binds both). The
// kernel picks a free UDP port; the same TCP port may still be held (TIME-WAIT after the
// integration tests' thousands of connections), so another is tried rather than failing.
Result<std::uint16_t> free_port() {
  constexpr int kProbes = 64;
  for (int probe = 0; probe < kProbes; ++probe) {
    const int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (udp < 0) return Error{std::string("socket: ") + std::strerror(errno)};
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(udp, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(udp, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ::close(udp);
      return Error{std::string("bind 127.0.0.1:0: ") + std::strerror(errno)};
    }
    const int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
    const bool tcp_free =
        tcp >= 0 && ::bind(tcp, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    if (tcp >= 0) ::close(tcp);
    ::close(udp);
    if (tcp_free) return static_cast<std::uint16_t>(ntohs(address.sin_port));
  }
  return Error{"no port free for both UDP and TCP in " + std::to_string(kProbes) + " probes"};
}

namespace {

std::string config_text(const std::string& directory, std::uint16_t port,
                        const std::vector<std::string>& server_lines,
                        const std::vector<std::string>& extra_sections) {
  std::ostringstream text;
  text << "server:\n"
       << "  interface: 127.0.0.1@" << port << "\n  port: " << port << "\n"
       << "  do-ip6: no\n  do-not-query-localhost: no\n  num-threads: 1\n"
       << "  username: \"\"\n  chroot: \"\"\n  directory: \"" << directory << "\"\n"
       << "  pidfile: \"" << directory << "/unbound.pid\"\n"
       << "  logfile: \"" << directory << "/unbound.log\"\n  use-syslog: no\n  verbosity: 1\n"
       << "  module-config: \"iterator\"\n"
       // A forward-zone to a dead port (a SERVFAIL source) then fails in ~0.2 s, not ~5 s.
       << "  infra-cache-max-rtt: 100\n"
       << "  local-zone: \".\" refuse\n";
  for (const std::string& line : server_lines) text << "  " << line << "\n";
  for (const std::string& section : extra_sections) text << section << "\n";
  text << "remote-control:\n  control-enable: yes\n  control-use-cert: no\n"
       << "  control-interface: \"" << directory << "/control.sock\"\n";
  return text.str();
}

// fork + exec rather than posix_spawn, so that the daemon gets PR_SET_PDEATHSIG: a test
// process that crashes or is killed must not leave a DNS server running behind it.
Result<pid_t> spawn_unbound(const std::string& directory) {
  const std::string config = directory + "/unbound.conf";
  const std::string output = directory + "/stderr.log";
  const char* argv[] = {kUnboundBinary, "-d", "-c", config.c_str(), nullptr};
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return Error{std::string("fork: ") + std::strerror(errno)};
  if (pid == 0) {  // only async-signal-safe calls from here to exec
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(126);
    const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(kUnboundBinary, const_cast<char**>(argv));
    ::_exit(127);
  }
  return pid;
}

// Runs a shell command (only our own temp paths in it) and returns its output and status.
int run_command(const std::string& command, std::string& output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  return ::pclose(pipe);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<std::unique_ptr<TestUnbound>> TestUnbound::start(
    const std::vector<std::string>& server_lines, const std::vector<std::string>& extra_sections) {
  std::string last_error = "not started";
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    Result<std::uint16_t> port = free_port();
    if (!port) return Error{port.error()};
    auto server = start_on_port(*port, server_lines, extra_sections);
    if (server) return server;
    last_error = server.error();
  }
  return Error{last_error};
}

Result<std::unique_ptr<TestUnbound>> TestUnbound::start_on_port(
    std::uint16_t port, const std::vector<std::string>& server_lines,
    const std::vector<std::string>& extra_sections) {
  char pattern[] = "/tmp/authmilter-unbound-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) return Error{std::string("mkdtemp: ") + std::strerror(errno)};
  const std::string directory = pattern;
  std::ofstream(directory + "/unbound.conf")
      << config_text(directory, port, server_lines, extra_sections);
  Result<pid_t> pid = spawn_unbound(directory);
  if (!pid) return Error{pid.error()};
  std::unique_ptr<TestUnbound> server(new TestUnbound(directory, port, *pid));
  const Status ready = server->wait_until_ready();
  if (!ready) return Error{ready.error()};
  return server;
}

TestUnbound::TestUnbound(std::string directory, std::uint16_t port, pid_t pid)
    : directory_(std::move(directory)), port_(port), pid_(pid) {}

Status TestUnbound::wait_until_ready() const {
  const auto give_up = std::chrono::steady_clock::now() + kStartupLimit;
  while (std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      const_cast<TestUnbound*>(this)->pid_ = -1;
      return Error{std::string("test unbound (") + kUnboundBinary +
                   ") exited during start-up; log:\n" + log()};
    }
    std::string output;
    if (run_command("unbound-control -c '" + directory_ + "/unbound.conf' status", output) == 0) {
      return Ok{};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Error{"test unbound did not become ready within 5 s; log:\n" + log()};
}

TestUnbound::~TestUnbound() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    const auto give_up = std::chrono::steady_clock::now() + kStopLimit;
    while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > give_up) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string TestUnbound::forwarder() const {
  return "127.0.0.1@" + std::to_string(port_);
}

Result<long> TestUnbound::query_count() const {
  std::string output;
  const std::string command = "unbound-control -c '" + directory_ + "/unbound.conf' stats_noreset";
  if (run_command(command, output) != 0) return Error{"unbound-control failed: " + output};
  const std::string key = "total.num.queries=";
  const auto at = output.find(key);
  if (at == std::string::npos) return Error{"no total.num.queries in: " + output};
  return std::strtol(output.c_str() + at + key.size(), nullptr, 10);
}

std::string TestUnbound::log() const {
  return read_file(directory_ + "/stderr.log") + read_file(directory_ + "/unbound.log");
}

Result<std::unique_ptr<SilentUdpServer>> SilentUdpServer::open() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{std::string("socket: ") + std::strerror(errno)};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return Error{std::string("bind 127.0.0.1:0: ") + std::strerror(errno)};
  }
  return std::unique_ptr<SilentUdpServer>(new SilentUdpServer(fd, ntohs(address.sin_port)));
}

SilentUdpServer::~SilentUdpServer() {
  ::close(fd_);
}

std::string SilentUdpServer::forwarder() const {
  return "127.0.0.1@" + std::to_string(port_);
}

int SilentUdpServer::received() {
  char buffer[4096];
  while (::recv(fd_, buffer, sizeof buffer, 0) >= 0) ++received_;
  return received_;
}

}  // namespace authmilter::testing
