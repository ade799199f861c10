// conformance_suite.h - runner for the openspf.org SPF test suites (YAML) over a ZoneResolver.
//
// load_suite() reads one YAML stream (one document per scenario); run_suite() serves each
// scenario's zonedata from a fresh dns::ZoneResolver following the suite's conventions
// (tests/data/spf/README.md): SPF values also served as TXT unless the name has a TXT entry,
// `TXT: NONE`, list values are one multi-string TXT RR, TIMEOUT fails the types not listed
// before it, unknown names are NXDOMAIN. Each test runs check_mail_from() (postmaster@HELO
// for an empty MAIL FROM) with the default explanation set to the literal "DEFAULT".
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spf/spf.h"

namespace authmilter::spf::testing {

struct SuiteCase {
  std::string name;
  std::string spec;
  std::string helo;
  std::string host;
  std::string mail_from;
  std::vector<std::string> results;  // any of them passes; the first is preferred
  std::optional<std::string> explanation;
};

struct SuiteScenario {
  std::string description;
  YAML::Node zonedata;
  std::vector<SuiteCase> cases;
};

struct CaseOutcome {
  std::string name;
  bool passed = false;
  bool preferred = true;  // passed with the first listed result
  std::string detail;     // what we got, for the log
};

struct SuiteReport {
  int passed = 0;
  int failed = 0;
  std::vector<CaseOutcome> outcomes;
  std::vector<std::string> warnings;  // passed with a non-preferred result

  const CaseOutcome* find(const std::string& name) const;
  std::vector<std::string> failed_names() const;
};

std::vector<SuiteScenario> load_suite(const std::string& path);
SuiteReport run_suite(const std::vector<SuiteScenario>& suite, SpfEngine engine);
// print_report - "<suite> (<engine>): N passed, M failed" plus one line per failure.
void print_report(const std::string& suite, SpfEngine engine, const SuiteReport& report);

}  // namespace authmilter::spf::testing
