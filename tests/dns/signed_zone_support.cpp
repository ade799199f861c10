#include "signed_zone_support.h"

#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace authmilter::testing {

namespace {

// Runs a command made only of our own temp paths and fixed words; output and exit status.
int run(const std::string& command, std::string& output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Replaces `from` with `to` in the first record line owned by `owner` that holds it.
bool forge(std::string& zone, const ForgedRecord& record) {
  std::size_t line = 0;
  while (line < zone.size()) {
    const std::size_t end = zone.find('\n', line);
    const std::size_t length = (end == std::string::npos ? zone.size() : end) - line;
    const std::string_view text(zone.data() + line, length);
    const std::size_t at = text.find(record.from);
    if (text.starts_with(record.owner) && text.size() > record.owner.size() &&
        (text[record.owner.size()] == '\t' || text[record.owner.size()] == ' ') &&
        at != std::string_view::npos) {
      zone.replace(line + at, record.from.size(), record.to);
      return true;
    }
    if (end == std::string::npos) break;
    line = end + 1;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<SignedZone>> SignedZone::create(const std::string& origin,
                                                       const std::string& zone_text,
                                                       const std::vector<ForgedRecord>& forged) {
  char pattern[] = "/tmp/authmilter-signed-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) return Error{std::string("mkdtemp: ") + std::strerror(errno)};
  std::unique_ptr<SignedZone> zone(new SignedZone(origin, pattern));
  const std::string& dir = zone->directory_;
  const std::string unsigned_file = dir + "/zone";
  std::ofstream(unsigned_file) << zone_text;

  std::string output;
  // ldns-keygen writes K<origin>+013+<tag>.{key,private,ds} into the working directory and
  // prints the base name.
  if (run("cd '" + dir + "' && ldns-keygen -a ECDSAP256SHA256 -k '" + origin + "'", output) != 0)
    return Error{"ldns-keygen failed (is ldnsutils installed?): " + output};
  std::string base = output.substr(0, output.find('\n'));
  if (base.empty() || base.front() != 'K') return Error{"ldns-keygen printed: " + output};
  base = dir + "/" + base;
  zone->signed_file_ = dir + "/zone.signed";
  zone->anchor_file_ = base + ".ds";
  output.clear();
  if (run("ldns-signzone -f '" + zone->signed_file_ + "' '" + unsigned_file + "' '" + base + "'",
          output) != 0)
    return Error{"ldns-signzone failed: " + output};

  std::string signed_text = read_all(zone->signed_file_);
  for (const ForgedRecord& record : forged) {
    if (!forge(signed_text, record))
      return Error{"no record of " + record.owner + " holds '" + record.from + "'"};
  }
  std::ofstream(zone->signed_file_, std::ios::trunc) << signed_text;
  return zone;
}

SignedZone::~SignedZone() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string SignedZone::auth_zone_section() const {
  return "auth-zone:\n  name: \"" + origin_ + "\"\n  zonefile: \"" + signed_file_ +
         "\"\n  for-downstream: yes\n  for-upstream: no\n  fallback-enabled: no";
}

}  // namespace authmilter::testing
