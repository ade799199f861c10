#include "support/suite_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace authmilter::testing {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::unique_ptr<dkim::DkimLibrary> make_library(const dkim::DkimOptions& options) {
  auto library = dkim::DkimLibrary::create(options);
  EXPECT_TRUE(library.ok()) << (library.ok() ? "" : library.error());
  return library.ok() ? std::move(library.value()) : nullptr;
}

void SuiteScore::fail(const std::string& case_id, const std::string& reason) {
  failures_.push_back(case_id + ": " + reason);
}

void SuiteScore::print() const {
  std::printf("%s: %d passed, %d failed\n", suite_.c_str(), passed_, failed());
  for (const std::string& failure : failures_) std::printf("  FAILED %s\n", failure.c_str());
}

}  // namespace authmilter::testing
