// conformance_support.h - shared pieces of the DMARC conformance tests: data paths, YAML
// loading, the Mail::DMARC mock zone served through a Resolver, and the per-suite tally that
// prints "<suite>: N passed, M failed" and enforces the expected-failure tables.
//
// SuiteTally::check(id, passed, detail) records one case. On destruction it prints the
// summary line and every failing case; a failing case that is not in the expected-failure
// table, and an expected failure that passes, are test failures (the table stays exact).
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dmarc/org_domain.h"
#include "dns/zone_resolver.h"

namespace authmilter::dmarc::testing {

std::string data_path(const std::string& relative);
YAML::Node load_yaml(const std::string& relative);
std::shared_ptr<const PublicSuffixList> pinned_psl();  // tests/data/psl copy

using ExpectedFailures = std::map<std::string, std::string>;  // case id -> reason

class SuiteTally {
 public:
  SuiteTally(std::string suite, ExpectedFailures expected);
  ~SuiteTally();
  SuiteTally(const SuiteTally&) = delete;
  SuiteTally& operator=(const SuiteTally&) = delete;

  void check(const std::string& id, bool passed, const std::string& detail);
  int passed() const { return passed_; }
  int failed() const { return failed_; }

 private:
  std::string suite_;
  ExpectedFailures expected_;
  std::set<std::string> seen_;
  int passed_ = 0;
  int failed_ = 0;
};

// MockZoneResolver - the rfc9989_mock_zone lines; names absent from the zone answer NODATA
// (as Net::DNS::Resolver::Mock does) unless marked nonexistent, which answer NXDOMAIN.
class MockZoneResolver : public dns::Resolver {
 public:
  explicit MockZoneResolver(const YAML::Node& zone_lines);
  void mark_nonexistent(const std::string& name) { nonexistent_.insert(name); }

  dns::TxtAnswer lookup_txt(std::string_view name) override;
  dns::AddressAnswer lookup_addresses(std::string_view name, net::IpFamily family) override;
  dns::MxAnswer lookup_mx(std::string_view name) override;
  dns::NameAnswer lookup_ptr(const net::IpAddress& address) override;

 private:
  template <class A>
  A adjust(std::string_view name, A answer) const;
  dns::ZoneResolver zone_;
  std::set<std::string> nonexistent_;
};

}  // namespace authmilter::dmarc::testing
