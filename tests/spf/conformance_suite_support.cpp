#include <iostream>
#include <set>
#include <stdexcept>

#include "dns/zone_resolver.h"
#include "spf/conformance_suite.h"

namespace authmilter::spf::testing {

namespace {

using dns::RecordType;

// scalar - the text of a node; a list (e.g. several `spec` sections) is joined with ", ".
std::string scalar(const YAML::Node& node) {
  if (!node) return "";
  if (!node.IsSequence()) return node.as<std::string>();
  std::string text;
  for (const auto& item : node) text += (text.empty() ? "" : ", ") + item.as<std::string>();
  return text;
}

// A list value is one TXT RR of several character-strings, joined without spaces (RFC 7208 §3.3).
std::string joined_text(const YAML::Node& value) {
  if (!value.IsSequence()) return value.as<std::string>();
  std::string text;
  for (const auto& piece : value) text += piece.as<std::string>();
  return text;
}

void add_timeouts(dns::ZoneResolver& zone, const std::string& name,
                  const std::set<RecordType>& seen) {
  for (RecordType type :
       {RecordType::txt, RecordType::a, RecordType::aaaa, RecordType::mx, RecordType::ptr}) {
    if (!seen.count(type)) zone.add_failure(name, type, dns::Outcome::timeout);
  }
}

void add_address(dns::ZoneResolver& zone, const std::string& name, const YAML::Node& value) {
  const auto address = net::IpAddress::parse(value.as<std::string>());
  if (!address) throw std::runtime_error("bad address in zonedata: " + value.as<std::string>());
  zone.add_address(name, *address);
}

void load_name(dns::ZoneResolver& zone, const std::string& name, const YAML::Node& entries) {
  std::set<RecordType> seen;  // types listed before a TIMEOUT
  std::vector<std::string> spf_values;
  bool explicit_txt = false;
  zone.add_name(name);
  for (const auto& entry : entries) {
    if (entry.IsScalar() && entry.as<std::string>() == "TIMEOUT") {
      add_timeouts(zone, name, seen);
      continue;
    }
    for (const auto& pair : entry) {
      const std::string type = pair.first.as<std::string>();
      const YAML::Node& value = pair.second;
      if (type == "SPF") {
        spf_values.push_back(joined_text(value));
      } else if (type == "TXT") {
        explicit_txt = true;
        if (value.IsScalar() && value.as<std::string>() == "NONE") continue;
        zone.add_txt(name, joined_text(value));
        seen.insert(RecordType::txt);
      } else if (type == "A" || type == "AAAA") {
        add_address(zone, name, value);
        seen.insert(type == "A" ? RecordType::a : RecordType::aaaa);
      } else if (type == "MX") {
        zone.add_mx(name, value[0].as<std::uint16_t>(), value[1].as<std::string>());
        seen.insert(RecordType::mx);
      } else if (type == "PTR") {
        zone.add_ptr(name, value.as<std::string>());
        seen.insert(RecordType::ptr);
      } else if (type == "CNAME") {
        zone.add_cname(name, value.as<std::string>());
      } else {
        throw std::runtime_error("unknown zonedata type " + type);
      }
    }
  }
  // RFC 7208 dropped RR type 99: SPF values are served as TXT unless TXT is given explicitly.
  if (!explicit_txt)
    for (const std::string& text : spf_values) zone.add_txt(name, text);
}

void load_zone(dns::ZoneResolver& zone, const YAML::Node& zonedata) {
  for (const auto& pair : zonedata) load_name(zone, pair.first.as<std::string>(), pair.second);
}

std::string canonical_result(std::string result) {
  if (result == "unknown") return "permerror";  // RFC 4408 names
  if (result == "error") return "temperror";
  return result;
}

SuiteCase load_case(const std::string& name, const YAML::Node& node) {
  SuiteCase c;
  c.name = name;
  c.spec = scalar(node["spec"]);
  c.helo = scalar(node["helo"]);
  c.host = scalar(node["host"]);
  c.mail_from = scalar(node["mailfrom"]);
  const YAML::Node result = node["result"];
  if (result.IsSequence()) {
    for (const auto& r : result) c.results.push_back(canonical_result(r.as<std::string>()));
  } else {
    c.results.push_back(canonical_result(result.as<std::string>()));
  }
  if (node["explanation"]) c.explanation = node["explanation"].as<std::string>();
  return c;
}

CaseOutcome run_case(const SuiteCase& c, dns::ZoneResolver& zone, SpfEngine engine,
                     SuiteReport& report) {
  CaseOutcome outcome;
  outcome.name = c.name;
  const auto client = net::IpAddress::parse(c.host);
  if (!client) {
    outcome.detail = "unparsable host " + c.host;
    return outcome;
  }
  SpfOptions options;
  options.engine = engine;
  options.default_explanation = "DEFAULT";
  const SpfResult result = check_mail_from({*client, c.helo, c.mail_from}, zone, options);
  const std::string got = to_string(result.code);
  outcome.detail = "got " + got + " (" + result.reason + ")";
  bool ok = false;
  for (const std::string& expected : c.results) ok = ok || expected == got;
  outcome.preferred = !ok || got == c.results.front();
  if (!outcome.preferred)
    report.warnings.push_back(c.name + ": " + got + " accepted, " + c.results.front() +
                              " preferred");
  if (ok && c.explanation && *c.explanation != result.explanation) {
    ok = false;
    outcome.detail += ", explanation '" + result.explanation + "' != '" + *c.explanation + "'";
  }
  if (!ok) {
    outcome.detail += ", expected ";
    for (const std::string& expected : c.results) outcome.detail += expected + " ";
  }
  outcome.passed = ok;
  return outcome;
}

const char* engine_name(SpfEngine engine) {
  return engine == SpfEngine::libspf2 ? "libspf2" : "builtin";
}

}  // namespace

const CaseOutcome* SuiteReport::find(const std::string& name) const {
  for (const CaseOutcome& outcome : outcomes)
    if (outcome.name == name) return &outcome;
  return nullptr;
}

std::vector<std::string> SuiteReport::failed_names() const {
  std::vector<std::string> names;
  for (const CaseOutcome& outcome : outcomes)
    if (!outcome.passed) names.push_back(outcome.name);
  return names;
}

std::vector<SuiteScenario> load_suite(const std::string& path) {
  std::vector<SuiteScenario> suite;
  for (const YAML::Node& document : YAML::LoadAllFromFile(path)) {
    SuiteScenario scenario;
    scenario.description = scalar(document["description"]);
    scenario.zonedata = document["zonedata"];
    for (const auto& pair : document["tests"])
      scenario.cases.push_back(load_case(pair.first.as<std::string>(), pair.second));
    suite.push_back(std::move(scenario));
  }
  return suite;
}

SuiteReport run_suite(const std::vector<SuiteScenario>& suite, SpfEngine engine) {
  SuiteReport report;
  for (const SuiteScenario& scenario : suite) {
    dns::ZoneResolver zone;  // a fresh zone per scenario
    load_zone(zone, scenario.zonedata);
    for (const SuiteCase& c : scenario.cases) {
      CaseOutcome outcome = run_case(c, zone, engine, report);
      (outcome.passed ? report.passed : report.failed) += 1;
      report.outcomes.push_back(std::move(outcome));
    }
  }
  return report;
}

void print_report(const std::string& suite, SpfEngine engine, const SuiteReport& report) {
  std::cout << suite << " (" << engine_name(engine) << "): " << report.passed << " passed, "
            << report.failed << " failed\n";
  for (const CaseOutcome& outcome : report.outcomes)
    if (!outcome.passed) std::cout << "  FAIL " << outcome.name << ": " << outcome.detail << "\n";
  for (const std::string& warning : report.warnings) std::cout << "  WARN " << warning << "\n";
}

}  // namespace authmilter::spf::testing
