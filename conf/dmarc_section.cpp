#include "conf/dmarc_section.h"

#include <algorithm>
#include <map>

#include "conf/domain_setting.h"
#include "net/ip_address.h"

namespace authmilter::conf {

namespace {

constexpr std::size_t kMaxReplyTextLength = 400;  // RFC 5321 §4.5.3.1.5: 512 per reply line
constexpr std::size_t kMaxHeaderLine = 998;       // RFC 5322 §2.1.1
constexpr std::size_t kMaxOverrides = 10000;      // our bound

template <class Enum>
Enum choose(YamlSection& section, const std::string& key, const std::string& fallback,
            const std::map<std::string, Enum>& choices) {
  const std::string text = section.get_string(key, fallback);
  const auto found = choices.find(text);
  if (found != choices.end()) return found->second;
  std::string expected;
  for (const auto& [name, value] : choices) expected += (expected.empty() ? "" : ", ") + name;
  section.fail(key, "expected one of " + expected);
}

bool printable(const std::string& text) {
  for (unsigned char c : text)
    if (c < 0x20 || c >= 0x7f) return false;
  return true;
}

const std::map<std::string, decision::RejectMode> kRejectModes = {
    {"rfc9989", decision::RejectMode::rfc9989},
    {"honor", decision::RejectMode::honor},
    {"never", decision::RejectMode::never}};

const std::map<std::string, dmarc::Disposition> kDispositions = {
    {"none", dmarc::Disposition::none},
    {"quarantine", dmarc::Disposition::quarantine},
    {"reject", dmarc::Disposition::reject}};

void read_quarantine_header(YamlSection& section, decision::LocalPolicy& policy) {
  const std::string text = section.get_string("quarantine_header", "X-Spam-Flag: YES");
  const auto colon = text.find(':');
  const std::string name = text.substr(0, colon);
  bool valid_name = colon != std::string::npos && !name.empty();
  for (unsigned char c : name) valid_name = valid_name && c > 0x20 && c < 0x7f;  // RFC 5322 ftext
  if (!valid_name || !printable(text) || text.size() > kMaxHeaderLine)
    section.fail("quarantine_header", "expected 'Name: value' on one line");
  policy.quarantine_header_name = name;
  const auto value = text.find_first_not_of(' ', colon + 1);
  policy.quarantine_header_value = value == std::string::npos ? "" : text.substr(value);
}

void read_forwarders(YamlSection section, decision::ForwarderList& forwarders) {
  for (const auto& text : section.get_string_list("networks")) {
    auto block = net::CidrBlock::parse(text);
    if (!block) section.fail("networks", "'" + text + "' is not an address or CIDR block");
    forwarders.networks.push_back(*block);
  }
  for (const auto& text : section.get_string_list("domains"))
    forwarders.domains.push_back(domain_setting(section, "domains", text));
  section.check_unknown_keys();
}

void read_overrides(YamlSection& dmarc, const YAML::Node& node, const std::string& file,
                    decision::LocalPolicy& policy) {
  dmarc.section("overrides");  // marks the key known; a non-mapping value is refused there
  if (!node.IsMap() || !node["overrides"].IsDefined() || !node["overrides"].IsMap()) return;
  if (node["overrides"].size() > kMaxOverrides) dmarc.fail("overrides", "too many entries");
  for (const auto& entry : node["overrides"]) {
    const std::string key = entry.first.Scalar();
    YamlSection rule(entry.second, file, "dmarc.overrides." + key);
    decision::DomainOverride override_rule;
    override_rule.domain = domain_setting(dmarc, "overrides", key);
    if (rule.has("reject")) override_rule.reject = choose(rule, "reject", "", kRejectModes);
    if (rule.has("max_disposition"))
      override_rule.max_disposition = choose(rule, "max_disposition", "", kDispositions);
    rule.check_unknown_keys();
    policy.overrides.push_back(std::move(override_rule));
  }
}

void read_texts(YamlSection& section, decision::LocalPolicy& policy) {
  policy.reject_text = section.get_string("reject_text", policy.reject_text);
  if (policy.reject_text.empty() || !printable(policy.reject_text) ||
      policy.reject_text.size() > kMaxReplyTextLength)
    section.fail("reject_text", "expected one line of printable ASCII, at most 400 characters");
  read_quarantine_header(section, policy);
}

}  // namespace

void read_dmarc_section(YamlSection section, const YAML::Node& node, const std::string& file,
                        Config& config) {
  auto& evaluation = config.evaluation;
  evaluation.dmarc_enabled = section.get_bool("enabled", true);
  evaluation.dmarc.mode =
      choose(section, "mode", "rfc9989",
             std::map<std::string, dmarc::DmarcMode>{{"rfc9989", dmarc::DmarcMode::rfc9989},
                                                     {"rfc7489", dmarc::DmarcMode::rfc7489}});
  evaluation.dmarc.psl_path = section.get_string("psl_path", dmarc::kDefaultPslPath);
  auto& policy = evaluation.local_policy;
  policy.reject = choose(section, "reject", "rfc9989", kRejectModes);
  policy.quarantine = choose(
      section, "quarantine", "hold",
      std::map<std::string, decision::QuarantineMode>{{"hold", decision::QuarantineMode::hold},
                                                      {"header", decision::QuarantineMode::header},
                                                      {"both", decision::QuarantineMode::both}});
  policy.multiple_from = choose(section, "multiple_from", "reject",
                                std::map<std::string, dmarc::MultipleFromPolicy>{
                                    {"reject", dmarc::MultipleFromPolicy::reject},
                                    {"strictest", dmarc::MultipleFromPolicy::strictest},
                                    {"fail", dmarc::MultipleFromPolicy::fail}});
  policy.no_author = choose(section, "no_from", "reject",
                            std::map<std::string, decision::NoAuthorMode>{
                                {"reject", decision::NoAuthorMode::reject},
                                {"quarantine", decision::NoAuthorMode::quarantine},
                                {"accept", decision::NoAuthorMode::accept}});
  policy.on_temperror = choose(section, "temperror", "accept",
                               std::map<std::string, decision::TemperrorMode>{
                                   {"accept", decision::TemperrorMode::accept},
                                   {"tempfail", decision::TemperrorMode::tempfail}});
  policy.dry_run = section.get_bool("dry_run", false);
  read_texts(section, policy);
  read_forwarders(section.section("forwarders"), policy.forwarders);
  read_overrides(section, node, file, policy);
  section.check_unknown_keys();
}

}  // namespace authmilter::conf
