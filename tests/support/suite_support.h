// suite_support.h - what the conformance tests of tests/arc and tests/dkim share: reading a data
// file, one DkimLibrary, and a suite's score printed as `<suite>: N passed, M failed` with every
// failing case and its reason. A file that cannot be read or a library that cannot be made is a
// test failure (GoogleTest's EXPECT), not an empty input that lets a case pass.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dkim/dkim_library.h"
#include "dkim/dkim_options.h"

namespace authmilter::testing {

std::string read_file(const std::string& path);

std::unique_ptr<dkim::DkimLibrary> make_library(const dkim::DkimOptions& options = {});

// Scores one suite; print() writes the summary line and every failing case with its reason.
class SuiteScore {
 public:
  explicit SuiteScore(std::string suite) : suite_(std::move(suite)) {}
  void pass() { ++passed_; }
  void fail(const std::string& case_id, const std::string& reason);
  int failed() const { return static_cast<int>(failures_.size()); }
  int passed() const { return passed_; }
  const std::vector<std::string>& failures() const { return failures_; }
  void print() const;

 private:
  std::string suite_;
  int passed_ = 0;
  std::vector<std::string> failures_;
};

}  // namespace authmilter::testing
