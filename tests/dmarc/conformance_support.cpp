#include "conformance_support.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <sstream>

namespace authmilter::dmarc::testing {

std::string data_path(const std::string& relative) {
  return std::string(AUTHMILTER_TEST_DATA) + "/" + relative;
}

YAML::Node load_yaml(const std::string& relative) {
  return YAML::LoadFile(data_path(relative));
}

std::shared_ptr<const PublicSuffixList> pinned_psl() {
  // A fixed copy keeps results reproducible; the system list is the fallback.
  std::string path = data_path("psl/public_suffix_list.dat");
  if (!std::filesystem::exists(path)) path = kDefaultPslPath;
  auto loaded = load_shared_public_suffix_list(path);
  if (!loaded) {
    ADD_FAILURE() << loaded.error();
    return nullptr;
  }
  return *loaded;
}

SuiteTally::SuiteTally(std::string suite, ExpectedFailures expected)
    : suite_(std::move(suite)), expected_(std::move(expected)) {}

void SuiteTally::check(const std::string& id, bool passed, const std::string& detail) {
  seen_.insert(id);
  const auto known = expected_.find(id);
  if (passed) {
    ++passed_;
    if (known != expected_.end()) {
      ADD_FAILURE() << suite_ << " [" << id << "] is in the expected-failure table but passes";
    }
    return;
  }
  ++failed_;
  if (known != expected_.end()) {
    std::cout << "  " << suite_ << " expected failure [" << id << "]: " << known->second << " ("
              << detail << ")\n";
  } else {
    ADD_FAILURE() << suite_ << " [" << id << "] failed: " << detail;
  }
}

SuiteTally::~SuiteTally() {
  std::cout << suite_ << ": " << passed_ << " passed, " << failed_ << " failed\n";
  for (const auto& [id, reason] : expected_) {
    if (seen_.count(id) == 0) {
      ADD_FAILURE() << suite_ << " expected-failure entry [" << id << "] matches no case";
    }
  }
}

MockZoneResolver::MockZoneResolver(const YAML::Node& zone_lines) {
  for (const auto& node : zone_lines) {
    const auto line = node.as<std::string>();
    if (line.empty() || line.front() == '#') continue;
    std::istringstream in(line);
    std::string name, ttl, type;
    in >> name >> ttl >> type;
    if (type == "TXT") {
      const auto open = line.find('"');
      const auto close = line.rfind('"');
      zone_.add_txt(name, line.substr(open + 1, close - open - 1));
    } else if (type == "MX") {
      int preference = 0;
      std::string exchange;
      in >> preference >> exchange;
      zone_.add_mx(name, static_cast<std::uint16_t>(preference), exchange);
    } else {
      ADD_FAILURE() << "unsupported mock zone line: " << line;
    }
  }
}

template <class A>
A MockZoneResolver::adjust(std::string_view name, A answer) const {
  if (answer.outcome == dns::Outcome::nxdomain && nonexistent_.count(std::string(name)) == 0) {
    answer.outcome = dns::Outcome::nodata;
  }
  return answer;
}

dns::TxtAnswer MockZoneResolver::lookup_txt(std::string_view name) {
  return adjust(name, zone_.lookup_txt(name));
}
dns::AddressAnswer MockZoneResolver::lookup_addresses(std::string_view name, net::IpFamily family) {
  return adjust(name, zone_.lookup_addresses(name, family));
}
dns::MxAnswer MockZoneResolver::lookup_mx(std::string_view name) {
  return adjust(name, zone_.lookup_mx(name));
}
dns::NameAnswer MockZoneResolver::lookup_ptr(const net::IpAddress& address) {
  return zone_.lookup_ptr(address);
}

}  // namespace authmilter::dmarc::testing
