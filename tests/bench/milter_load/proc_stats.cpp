// proc_stats.cpp - /proc readers (see proc_stats.h).
#include "proc_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "common/c_handle.h"

namespace authmilter::bench {
namespace {

std::string proc_path(pid_t pid, const char* entry) {
  return "/proc/" + std::to_string(pid) + "/" + entry;
}

double timeval_seconds(const timeval& value) {
  return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
}

}  // namespace

Result<double> cpu_seconds(pid_t pid) {
  std::ifstream in(proc_path(pid, "stat"));
  std::string line;
  if (!in || !std::getline(in, line)) return Error{"cannot read /proc/" + std::to_string(pid)};
  // The command name (field 2) may contain spaces and ')': fields restart after the last ')'.
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) return Error{"malformed /proc/pid/stat"};
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::stoull(field);
    if (number == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double self_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return timeval_seconds(usage.ru_utime) + timeval_seconds(usage.ru_stime);
}

Result<std::uint64_t> rss_kib(pid_t pid) {
  std::ifstream in(proc_path(pid, "status"));
  if (!in) return Error{"cannot read /proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return Error{"no VmRSS line"};
}

Result<std::uint64_t> open_fds(pid_t pid) {
  const CHandle<DIR, closedir> dir(opendir(proc_path(pid, "fd").c_str()));
  if (!dir) return Error{"cannot list /proc/" + std::to_string(pid) + "/fd"};
  std::uint64_t count = 0;
  while (const dirent* entry = readdir(dir.get())) {
    if (entry->d_name[0] != '.') ++count;
  }
  return count;
}

}  // namespace authmilter::bench
