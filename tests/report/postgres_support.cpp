// postgres_support.cpp - initdb + pg_ctl on a free loopback port.
#include "postgres_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace authmilter::report::testing {

namespace {

constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin";

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  close(fd);
  return port;
}

// Runs as the postgres user when we are root (initdb refuses root), else as ourselves.
std::string as_postgres(const std::string& command) {
  if (geteuid() != 0) return command;
  return "runuser -u postgres -- " + command;
}

}  // namespace

Result<std::string> PrivatePostgres::start() {
  char pattern[] = "/tmp/authmilter-pg-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return Error{"mkdtemp failed"};
  directory_ = pattern;
  if (geteuid() == 0 && std::system(("chown postgres " + directory_).c_str()) != 0)
    return Error{"cannot chown " + directory_ + " to postgres"};
  const std::string data = directory_ + "/data";
  const std::string initdb =
      as_postgres(std::string(kPgBin) + "/initdb -D " + data +
                  " -A trust -U postgres -E UTF8 --locale=C >" + directory_ + "/initdb.log 2>&1");
  if (std::system(initdb.c_str()) != 0)
    return Error{"initdb failed, see " + directory_ + "/initdb.log"};
  const int port = free_port();
  if (port == 0) return Error{"no free port"};
  const std::string options = "-p " + std::to_string(port) + " -k " + directory_ +
                              " -c listen_addresses=127.0.0.1 -c fsync=off";
  const std::string pg_ctl =
      as_postgres(std::string(kPgBin) + "/pg_ctl -D " + data + " -o '" + options + "' -l " +
                  directory_ + "/server.log -w start" + " >/dev/null 2>&1");
  if (std::system(pg_ctl.c_str()) != 0)
    return Error{"pg_ctl start failed, see " + directory_ + "/server.log"};
  running_ = true;
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/postgres";
}

void PrivatePostgres::stop() {
  if (running_) {
    const std::string pg_ctl = as_postgres(std::string(kPgBin) + "/pg_ctl -D " + directory_ +
                                           "/data -m immediate stop >/dev/null 2>&1");
    (void)std::system(pg_ctl.c_str());
    running_ = false;
  }
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
    directory_.clear();
  }
}

PrivatePostgres::~PrivatePostgres() {
  stop();
}

Result<std::string> fresh_postgres_database() {
  static PrivatePostgres server;
  static const Result<std::string> url = server.start();
  if (!url) return Error{"cannot start PostgreSQL: " + url.error()};
  static int counter = 0;
  const std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  const std::string create = "psql -q '" + *url + "' -c 'CREATE DATABASE " + name + "'";
  if (std::system(create.c_str()) != 0) return Error{"cannot create database " + name};
  return url->substr(0, url->rfind('/') + 1) + name;
}

}  // namespace authmilter::report::testing
