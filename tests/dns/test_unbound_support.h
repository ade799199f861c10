// test_unbound_support.h - real DNS servers on loopback for tests.
//
// TestUnbound runs /usr/sbin/unbound in the foreground (-d) on 127.0.0.1 at a free port, with
// a generated config in a fresh temp dir. The caller gives raw `server:` lines (local-zone,
// local-data, local-data-ptr, ...) and optional extra sections (forward-zone: ...). Every name
// outside the caller's local zones is REFUSED, so the server never leaves loopback. The
// remote-control socket lives in the temp dir; query_count() reads total.num.queries from it
// (every query the server received, answered from its data or not).
// SilentUdpServer is a bound UDP socket that never answers: a forwarder that times out.
// free_port() gives a port nobody listens on: a forward-zone to it makes unbound SERVFAIL.
//
// start()/open() fail with the reason and the server log when the environment cannot run
// them; tests must turn that into a failure, never a skip. Destroying a TestUnbound stops the
// daemon and removes its directory. Tests use these from one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace authmilter::testing {

// A port on 127.0.0.1 free for UDP and TCP at the time of the call (nothing listens on it).
Result<std::uint16_t> free_port();

class TestUnbound {
 public:
  static Result<std::unique_ptr<TestUnbound>> start(
      const std::vector<std::string>& server_lines,
      const std::vector<std::string>& extra_sections = {});
  // The same on a given port, once (e.g. a server restarted where the old one listened).
  static Result<std::unique_ptr<TestUnbound>> start_on_port(
      std::uint16_t port, const std::vector<std::string>& server_lines,
      const std::vector<std::string>& extra_sections = {});
  ~TestUnbound();
  TestUnbound(const TestUnbound&) = delete;
  TestUnbound& operator=(const TestUnbound&) = delete;

  std::uint16_t port() const { return port_; }
  std::string forwarder() const;  // "127.0.0.1@PORT", for ResolverOptions::forwarders
  Result<long> query_count() const;
  std::string log() const;

 private:
  TestUnbound(std::string directory, std::uint16_t port, pid_t pid);
  Status wait_until_ready() const;

  std::string directory_;
  std::uint16_t port_;
  pid_t pid_;
};

class SilentUdpServer {
 public:
  static Result<std::unique_ptr<SilentUdpServer>> open();
  ~SilentUdpServer();
  SilentUdpServer(const SilentUdpServer&) = delete;
  SilentUdpServer& operator=(const SilentUdpServer&) = delete;

  std::string forwarder() const;  // "127.0.0.1@PORT"
  // Datagrams received so far (drained without answering).
  int received();

 private:
  SilentUdpServer(int fd, std::uint16_t port) : fd_(fd), port_(port) {}
  int fd_;
  std::uint16_t port_;
  int received_ = 0;
};

}  // namespace authmilter::testing
