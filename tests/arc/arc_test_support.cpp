#include "arc_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "arc/arc_verifier.h"

namespace authmilter::arc::testing {

std::string data_path(std::string_view relative) {
  return std::string(AUTHMILTER_TEST_DATA) + "/arc/" + std::string(relative);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
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
    if (colon == std::string_view::npos) continue;
    parts.headers.emplace_back(std::string(line.substr(0, colon)),
                               std::string(line.substr(colon + 1)));
  }
  parts.body = std::string(raw.substr(std::min(position, raw.size())));
  return parts;
}

std::unique_ptr<dkim::DkimLibrary> make_library(const dkim::DkimOptions& options) {
  auto library = dkim::DkimLibrary::create(options);
  EXPECT_TRUE(library.ok()) << (library.ok() ? "" : library.error());
  return library.ok() ? std::move(library.value()) : nullptr;
}

ArcResult verify_message(const dkim::DkimLibrary& library, dns::Resolver& resolver,
                         std::string_view raw, std::size_t chunk_size, std::time_t now,
                         const ArcOptions& options) {
  const MessageParts parts = split_message(raw);
  ArcVerifier verifier(library, resolver, options);
  for (const auto& [name, value] : parts.headers) verifier.add_header(name, value);
  verifier.end_of_headers();
  for (std::size_t offset = 0; offset < parts.body.size(); offset += chunk_size) {
    const std::size_t length = std::min(chunk_size, parts.body.size() - offset);
    verifier.add_body(std::span<const char>(parts.body.data() + offset, length));
  }
  return verifier.finish(now);
}

std::string describe(const ArcResult& result) {
  std::string out = to_string(result.code);
  if (!result.reason.empty()) out += " (" + result.reason + ")";
  return out;
}

void SuiteScore::fail(const std::string& case_id, const std::string& reason) {
  failures_.push_back(case_id + ": " + reason);
}

void SuiteScore::print() const {
  std::printf("%s: %d passed, %d failed\n", suite_.c_str(), passed_, failed());
  for (const std::string& failure : failures_) std::printf("  FAILED %s\n", failure.c_str());
}

}  // namespace authmilter::arc::testing
