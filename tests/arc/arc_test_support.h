// arc_test_support.h - shared helpers for the ARC tests: read conformance data, split a raw
// message into header fields and body, stream it through ArcVerifier in fixed-size chunks, and
// keep suite scores (`<suite>: N passed, M failed`). Same pattern as tests/dkim.
#pragma once

#include <cstddef>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arc/arc_options.h"
#include "arc/arc_result.h"
#include "dkim/dkim_library.h"
#include "dns/resolver.h"

namespace authmilter::arc::testing {

std::string data_path(std::string_view relative);  // under AUTHMILTER_TEST_DATA/arc/
std::string read_file(const std::string& path);

struct MessageParts {
  std::vector<std::pair<std::string, std::string>> headers;  // name, raw value after ':'
  std::string body;
};
MessageParts split_message(std::string_view raw);

std::unique_ptr<dkim::DkimLibrary> make_library(const dkim::DkimOptions& options = {});

// 2017-01-01T00:00:00Z: after every t= of the ValiMail suite, before any x=.
inline constexpr std::time_t kSuiteNow = 1483228800;

// Headers one by one, then the body in chunks of `chunk_size` bytes, then finish(now).
ArcResult verify_message(const dkim::DkimLibrary& library, dns::Resolver& resolver,
                         std::string_view raw, std::size_t chunk_size, std::time_t now,
                         const ArcOptions& options = {});

std::string describe(const ArcResult& result);  // "fail (reason)"

inline constexpr std::size_t kChunkSizes[] = {1, 7, 64, 65536};

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

}  // namespace authmilter::arc::testing
