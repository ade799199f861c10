#include "dkim_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "dkim/dkim_verifier.h"

namespace authmilter::dkim::testing {

std::string data_path(std::string_view relative) {
  return std::string(AUTHMILTER_TEST_DATA) + "/dkim/" + std::string(relative);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
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

MessageParts split_message(std::string_view raw) {
  MessageParts parts;
  std::size_t position = 0;
  while (position < raw.size()) {
    std::size_t end = raw.find('\n', position);
    end = end == std::string_view::npos ? raw.size() : end + 1;
    const std::string_view line = raw.substr(position, end - position);
    position = end;
    if (line == "\n" || line == "\r\n") break;  // end of the header section
    if ((line.front() == ' ' || line.front() == '\t') && !parts.headers.empty()) {
      parts.headers.back().second += line;  // folded continuation
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // e.g. an mbox "From " line
    parts.headers.emplace_back(std::string(line.substr(0, colon)),
                               std::string(line.substr(colon + 1)));
  }
  parts.body = std::string(raw.substr(std::min(position, raw.size())));
  return parts;
}

std::unique_ptr<DkimLibrary> make_library(const DkimOptions& options) {
  auto library = DkimLibrary::create(options);
  EXPECT_TRUE(library.ok()) << (library.ok() ? "" : library.error());
  return library.ok() ? std::move(library.value()) : nullptr;
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
  const MessageParts parts = split_message(raw);
  DkimVerifier verifier(library, resolver);
  for (const auto& [name, value] : parts.headers) verifier.add_header(name, value);
  verifier.end_of_headers();
  for (std::size_t offset = 0; offset < parts.body.size(); offset += chunk_size) {
    const std::size_t length = std::min(chunk_size, parts.body.size() - offset);
    verifier.add_body(std::span<const char>(parts.body.data() + offset, length));
  }
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

void SuiteScore::fail(const std::string& case_id, const std::string& reason) {
  failures_.push_back(case_id + ": " + reason);
}

void SuiteScore::print() const {
  std::printf("%s: %d passed, %d failed\n", suite_.c_str(), passed_, failed());
  for (const std::string& failure : failures_) std::printf("  FAILED %s\n", failure.c_str());
}

}  // namespace authmilter::dkim::testing
