// config_loader.cpp - YAML text -> Config, one function per section.
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cctype>
#include <climits>
#include <fstream>
#include <sstream>

#include "conf/arc_section.h"
#include "conf/config.h"
#include "conf/dmarc_section.h"
#include "conf/failure_section.h"
#include "conf/limits_section.h"
#include "conf/metrics_section.h"
#include "conf/report_sections.h"
#include "conf/yaml_section.h"
#include "net/ip_address.h"

namespace authmilter::conf {

namespace {

constexpr std::size_t kMaxAuthservIdLength = 255;

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// An authserv-id goes verbatim into every header we write: allow only dot-atom characters.
bool is_valid_authserv_id(const std::string& id) {
  if (id.empty() || id.size() > kMaxAuthservIdLength) return false;
  for (unsigned char c : id) {
    const bool ok = std::isalnum(c) || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

unsigned parse_mode(YamlSection& top) {
  const std::string text = top.get_string("socket_mode", "0660");
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
    top.fail("socket_mode", "expected an octal mode such as 0660");
  return static_cast<unsigned>(std::stoul(text, nullptr, 8));
}

DaemonSettings read_daemon(YamlSection& top) {
  DaemonSettings daemon;
  const std::string socket = top.get_string("socket", kDefaultSocket);
  auto spec = SocketSpec::parse(socket);
  if (!spec) top.fail("socket", spec.error());
  daemon.socket = *spec;
  daemon.socket_mode = parse_mode(top);
  daemon.socket_group = top.get_string("socket_group", kDefaultSocketGroup);
  daemon.user = top.get_string("user", "authmilter");
  daemon.group = top.get_string("group", "");
  daemon.pidfile = top.get_string("pidfile", "");
  if (!daemon.pidfile.empty() && daemon.pidfile.front() != '/')
    top.fail("pidfile", "must be an absolute path");
  daemon.probe_key_file = top.get_string("probe_key_file", kDefaultProbeKeyFile);
  if (!daemon.probe_key_file.empty() && daemon.probe_key_file.front() != '/')
    top.fail("probe_key_file", "must be an absolute path");
  daemon.listen_backlog = static_cast<int>(top.get_integer("listen_backlog", 128, 1, 65535));
  daemon.milter_timeout_seconds = static_cast<int>(top.get_integer("milter_timeout", 300, 1, 3600));
  daemon.syslog_facility = top.get_string("syslog_facility", "mail");
  static const char* const kFacilities[] = {"mail",   "daemon", "local0", "local1", "local2",
                                            "local3", "local4", "local5", "local6", "local7"};
  bool known = false;
  for (const char* facility : kFacilities) known = known || daemon.syslog_facility == facility;
  if (!known) top.fail("syslog_facility", "expected mail, daemon or local0..local7");
  return daemon;
}

dns::ResolverOptions read_dns(YamlSection section) {
  dns::ResolverOptions dns;
  dns.forwarders = section.get_string_list("resolvers");
  for (const auto& forwarder : dns.forwarders) {
    const std::string address = forwarder.substr(0, forwarder.find('@'));
    if (!net::IpAddress::parse(address))
      section.fail("resolvers", "'" + forwarder + "' is not an IP address with optional @port");
  }
  dns.resolv_conf = section.get_string("resolv_conf", dns.resolv_conf);
  dns.query_timeout =
      std::chrono::milliseconds(section.get_integer("timeout_ms", 5000, 100, 60000));
  dns.trust_anchor_file = section.get_string("trust_anchor_file", "");
  dns.unblock_local_zones = section.get_string_list("unblock_local_zones");
  dns.message_budget = std::chrono::milliseconds(section.get_integer(
      "message_budget_ms", dns::kDefaultMessageBudget.count(), 0, dns::kMaxMessageBudget.count()));
  dns.answer_bounds.max_records = static_cast<std::size_t>(section.get_integer(
      "max_answer_records", static_cast<long>(dns::kMaxRecordsPerAnswer),
      static_cast<long>(dns::kMinAnswerRecords), static_cast<long>(dns::kMaxAnswerRecords)));
  dns.answer_bounds.max_txt_bytes = static_cast<std::size_t>(section.get_integer(
      "max_txt_bytes", static_cast<long>(dns::kMaxTxtLength), static_cast<long>(dns::kMinTxtBytes),
      static_cast<long>(dns::kMaxTxtBytes)));
  section.check_unknown_keys();
  return dns;
}

std::vector<net::CidrBlock> read_networks(YamlSection& section, const std::string& key) {
  std::vector<net::CidrBlock> networks;
  for (const auto& text : section.get_string_list(key)) {
    auto block = net::CidrBlock::parse(text);
    if (!block) section.fail(key, "'" + text + "' is not an address or CIDR block");
    networks.push_back(*block);
  }
  return networks;
}

void read_spf(YamlSection section, evaluation::EvaluationOptions& options) {
  const std::string engine = section.get_string("engine", "builtin");
  if (engine == "builtin")
    options.spf.engine = spf::SpfEngine::builtin;
  else if (engine == "libspf2")
    options.spf.engine = spf::SpfEngine::libspf2;
  else
    section.fail("engine", "expected builtin or libspf2");
  options.spf.receiver_host = section.get_string("receiver_host", options.authserv_id);
  options.spf.default_explanation =
      section.get_string("default_explanation", options.spf.default_explanation);
  auto& policy = options.spf_policy;
  policy.check_helo = section.get_bool("check_helo", policy.check_helo);
  policy.reject_on_fail = section.get_bool("reject_on_fail", policy.reject_on_fail);
  const std::string temperror = section.get_string("temperror", "accept");
  if (temperror == "accept")
    policy.on_temperror = evaluation::TemperrorAction::accept;
  else if (temperror == "tempfail")
    policy.on_temperror = evaluation::TemperrorAction::tempfail;
  else
    section.fail("temperror", "expected accept or tempfail");
  if (section.has("exempt_recipients"))
    policy.exempt_recipients = section.get_string_list("exempt_recipients");
  section.check_unknown_keys();
}

void read_dkim(YamlSection section, Config& config) {
  config.dkim_enabled = section.get_bool("enabled", true);
  auto& dkim = config.dkim;
  dkim.accept_rsa_sha1 = section.get_bool("accept_rsa_sha1", dkim.accept_rsa_sha1);
  dkim.min_rsa_key_bits = static_cast<unsigned>(
      section.get_integer("min_rsa_key_bits", dkim.min_rsa_key_bits, 512, 16384));
  dkim.max_signatures = static_cast<std::size_t>(
      section.get_integer("max_signatures", static_cast<long>(dkim.max_signatures), 1, 100));
  dkim.key_cache_entries = static_cast<std::size_t>(section.get_integer(
      "key_cache_entries", static_cast<long>(dkim.key_cache_entries), 1, 1000000));
  section.check_unknown_keys();
}

Config read_config(const YAML::Node& root, const std::string& file) {
  YamlSection top(root, file, "");
  Config config;
  config.file = file;
  config.daemon = read_daemon(top);
  auto& evaluation = config.evaluation;
  evaluation.authserv_id = top.get_string("authserv_id", "");
  if (evaluation.authserv_id.empty()) evaluation.authserv_id = host_name();
  if (!is_valid_authserv_id(evaluation.authserv_id))
    top.fail("authserv_id", "must be a host name (letters, digits, '.', '-', '_')");
  config.dns = read_dns(top.section("dns"));
  evaluation.trusted_networks = read_networks(top, "trusted_networks");
  evaluation.skip_authenticated = top.get_bool("skip_authenticated", true);
  read_spf(top.section("spf"), evaluation);
  read_dkim(top.section("dkim"), config);
  read_arc_section(top.section("arc"), config);        // after dkim: ARC needs it
  read_limits_section(top.section("limits"), config);  // after dkim: sets its header bounds
  config.daemon.metrics = read_metrics_section(top.section("metrics"));
  config.store = read_store_section(top.section("store"));
  config.reports = read_reports_section(top.section("reports"), host_name());
  evaluation.failure_reports = read_failure_reports_section(top.section("failure_reports"));
  // yaml-cpp: a missing key gives an invalid node that throws when inspected; pass a null one.
  const YAML::Node dmarc = root.IsMap() && root["dmarc"].IsDefined() ? root["dmarc"] : YAML::Node();
  read_dmarc_section(top.section("dmarc"), dmarc, file, config);
  top.check_unknown_keys();
  return config;
}

}  // namespace

Result<Config> load_config_text(const std::string& text, const std::string& file) {
  try {
    return read_config(YAML::Load(text), file);
  } catch (const ConfigError& error) {
    return Error{error.what()};
  } catch (const YAML::Exception& error) {
    return Error{file + ":" + std::to_string(error.mark.line + 1) + ":" +
                 std::to_string(error.mark.column + 1) + ": " + error.msg};
  }
}

Result<Config> load_config(const std::string& path) {
  // Anyone who can write the file decides what the daemon (started as root) does.
  struct stat status {};
  if (stat(path.c_str(), &status) == 0 && (status.st_mode & S_IWOTH) != 0)
    return Error{path + ": the configuration file is world-writable; refusing it (chmod o-w)"};
  std::ifstream in(path);
  if (!in) return Error{path + ": cannot read the configuration file"};
  std::ostringstream text;
  text << in.rdbuf();
  return load_config_text(text.str(), path);
}

}  // namespace authmilter::conf
