#include "dkim_test_support.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "dkim/dkim_verifier.h"

namespace authmilter::dkim::testing {

std::string data_path(std::string_view relative) {
  return std::string(AUTHMILTER_TEST_DATA) + "/dkim/" + std::string(relative);
}

std::vector<std::vector<std::string>> read_tsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
      const std::size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

void load_tab_records(dns::ZoneResolver& zone, const std::string& path) {
  for (const auto& row : read_tsv(path)) {
    ASSERT_GE(row.size(), 2u) << path;
    zone.add_txt(row[0], row[1]);
  }
}

void load_fake_dns(dns::ZoneResolver& zone, const std::string& path) {
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    const std::size_t space = line.find_first_of(" \t");
    ASSERT_NE(space, std::string::npos) << line;
    const std::string name = line.substr(0, space);
    const std::size_t value_start = line.find_first_not_of(" \t", space);
    const std::string value = value_start == std::string::npos ? "" : line.substr(value_start);
    if (value == "NXDOMAIN") continue;  // unknown names answer NXDOMAIN
    if (value == "~~Query timed out~~") {
      zone.add_failure(name, dns::RecordType::txt, dns::Outcome::timeout);
    } else if (value == "~~SERVFAIL~~") {
      zone.add_failure(name, dns::RecordType::txt, dns::Outcome::servfail);
    } else {
      zone.add_txt(name, value == "\"\"" ? "" : value);
    }
  }
}

std::string key_file_record(const std::string& path) {
  std::string text = read_file(path);
  std::erase(text, '\n');
  std::erase(text, '\r');
  return text;
}

namespace {

// FNV-1a: names a message in the trace without printing it.
std::uint64_t message_digest(std::string_view raw) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : raw) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return hash;
}

// AUTHMILTER_DKIM_TRACE=FILE appends every verification's full outcome to FILE, so that two runs
// of the conformance suites (before and after a verifier change) can be compared case by case.
void trace_outcome(std::string_view raw, std::size_t chunk_size,
                   const std::vector<DkimResult>& results) {
  static std::mutex trace_mutex;
  const char* path = std::getenv("AUTHMILTER_DKIM_TRACE");
  if (path == nullptr || *path == '\0') return;
  std::ostringstream line;
  line << std::hex << message_digest(raw) << std::dec << " chunk=" << chunk_size;
  for (const DkimResult& r : results) {
    line << " | " << to_string(r.code) << " (" << r.reason << ") d=" << r.domain
         << " s=" << r.selector << " a=" << r.algorithm << " b=" << r.signature_prefix
         << " bits=" << r.key_bits << " testing=" << r.testing_key;
  }
  if (results.empty()) line << " | none";
  const std::lock_guard<std::mutex> lock(trace_mutex);
  std::ofstream(path, std::ios::app) << line.str() << "\n";
}

}  // namespace

std::vector<DkimResult> verify_message(const DkimLibrary& library, dns::Resolver& resolver,
                                       std::string_view raw, std::size_t chunk_size) {
  DkimVerifier verifier(library, resolver);
  stream_message(verifier, split_message(raw), chunk_size);
  std::vector<DkimResult> results = verifier.finish();
  trace_outcome(raw, chunk_size, results);
  return results;
}

std::string codes_of(const std::vector<DkimResult>& results) {
  if (results.empty()) return "none";
  std::string out;
  for (const DkimResult& result : results) {
    if (!out.empty()) out += ",";
    out += to_string(result.code);
  }
  return out;
}

std::string describe(const std::vector<DkimResult>& results) {
  if (results.empty()) return "none";
  std::string out;
  for (const DkimResult& result : results) {
    if (!out.empty()) out += "; ";
    out += std::string(to_string(result.code)) + " (" + result.reason + ")";
  }
  return out;
}

std::string overall_code(const std::vector<DkimResult>& results) {
  static constexpr DkimCode kRank[] = {DkimCode::pass,      DkimCode::fail,      DkimCode::policy,
                                       DkimCode::temperror, DkimCode::permerror, DkimCode::neutral};
  for (DkimCode code : kRank) {
    for (const DkimResult& result : results) {
      if (result.code == code) return to_string(code);
    }
  }
  return "none";
}

}  // namespace authmilter::dkim::testing
