// dkim_test_support.h - shared helpers for the DKIM tests: read conformance data, serve key
// records from a ZoneResolver, stream a raw message through DkimVerifier in fixed-size chunks,
// and keep suite scores (`<suite>: N passed, M failed`).
#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dkim/dkim_library.h"
#include "dkim/dkim_result.h"
#include "dns/zone_resolver.h"

namespace authmilter::dkim::testing {

std::string data_path(std::string_view relative);  // under AUTHMILTER_TEST_DATA/dkim/
std::string read_file(const std::string& path);
// Tab-separated rows of a manifest, '#' comment lines and blank lines skipped.
std::vector<std::vector<std::string>> read_tsv(const std::string& path);

// "owner<TAB>value" records (dns-records.txt).
void load_tab_records(dns::ZoneResolver& zone, const std::string& path);
// Mail::DKIM FAKE_DNS.dat: "name<ws>value", NXDOMAIN, ~~Query timed out~~, ~~SERVFAIL~~, "".
void load_fake_dns(dns::ZoneResolver& zone, const std::string& path);
// A key file's contents as one TXT string (line ends removed).
std::string key_file_record(const std::string& path);

struct MessageParts {
  std::vector<std::pair<std::string, std::string>> headers;  // name, raw value after ':'
  std::string body;
};
MessageParts split_message(std::string_view raw);

std::unique_ptr<DkimLibrary> make_library(const DkimOptions& options = {});

// Headers one by one, then the body in chunks of `chunk_size` bytes.
std::vector<DkimResult> verify_message(const DkimLibrary& library, dns::Resolver& resolver,
                                       std::string_view raw, std::size_t chunk_size);

std::string codes_of(const std::vector<DkimResult>& results);  // "pass,fail"; "none" if empty
std::string describe(const std::vector<DkimResult>& results);  // codes with reasons
// The message-level RFC 8601 word: best of the signatures (pass > fail > policy > temperror >
// permerror > neutral), "none" when unsigned.
std::string overall_code(const std::vector<DkimResult>& results);

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

}  // namespace authmilter::dkim::testing
