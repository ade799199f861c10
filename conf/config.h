// config.h - the typed configuration of authmilter, as loaded from authmilter.yaml.
//
// conf/ fills the plain option structs that the policy/ components define themselves
// (dns::ResolverOptions, ...); the daemon-only settings live here. Defaults are those of a Postfix
// MX; conf/authmilter.yaml documents every key. load_config() validates everything it can before
// the daemon starts (socket syntax, CIDRs, users and paths are checked by the daemon at bind time).
#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"
#include "conf/metrics_section.h"
#include "conf/socket_spec.h"
#include "dkim/dkim_options.h"
#include "dns/resolver_options.h"
#include "evaluation/evaluation_settings.h"
#include "report/record_store.h"
#include "report/report_options.h"

namespace authmilter::conf {

inline constexpr const char* kDefaultConfigPath = "/etc/authmilter/authmilter.yaml";
// Inside Postfix's queue directory, because Debian's Postfix runs smtpd and cleanup chrooted
// there: main.cf names it relative to the queue directory (unix:authmilter/authmilter.sock),
// which every Postfix daemon resolves there, chrooted or not.
inline constexpr const char* kDefaultSocket = "unix:/var/spool/postfix/authmilter/authmilter.sock";
inline constexpr const char* kDefaultSocketGroup = "postfix";
// Secret that makes `authmilter-check --smtp` probe messages recognisable (daemon/probe_token.h).
inline constexpr const char* kDefaultProbeKeyFile = "/var/lib/authmilter/probe.key";
// Concurrent milter connections (libmilter runs a thread for each). Postfix's
// default_process_limit is 100 smtpd processes, each holding one connection per milter: 1000
// leaves room for several MTAs and bursts while bounding threads and memory.
inline constexpr std::size_t kDefaultMaxConnections = 1000;

struct DaemonSettings {
  SocketSpec socket;            // where libmilter listens
  unsigned socket_mode = 0660;  // unix sockets: permissions after bind
  std::string socket_group;     // unix sockets: group after bind (e.g. "postfix"); empty = keep
  std::string user;             // drop to this user after binding; empty = keep the current user
  std::string group;            // and this group; empty = the user's primary group
  std::string pidfile;          // empty = none
  std::string probe_key_file;   // read (or created) as root at start; empty = no probes
  int listen_backlog = 128;
  int milter_timeout_seconds = 300;  // libmilter's read/write timeout towards the MTA
  std::string syslog_facility = "mail";
  std::size_t max_connections = kDefaultMaxConnections;  // limits.max_connections
  MetricsSettings metrics;  // the `metrics:` section: the /metrics endpoint, off by default
};

struct Config {
  std::string file;  // where it was loaded from, for log lines
  DaemonSettings daemon;
  // Everything MessageEvaluation is told: authserv_id, trusted_networks, skip_authenticated and
  // the `spf:`, `dmarc:`, `arc:`, `limits:` and `failure_reports:` sections (the `arc:` section's
  // trusted_sealers are in local_policy). The daemon copies it whole into EvaluationSettings;
  // failure_reports is also what authmilter-report --failure-reports sends (with `reports`).
  evaluation::EvaluationOptions evaluation;
  dns::ResolverOptions dns;
  bool dkim_enabled = true;
  dkim::DkimOptions dkim;
  // The record store every evaluated message goes to (empty url: no recording), and how
  // authmilter-report builds and sends aggregate reports from it.
  report::StoreOptions store;
  report::ReportOptions reports;
};

// Parses and validates the YAML file at path. Errors read "file:line:col: key: message".
Result<Config> load_config(const std::string& path);
// The same from text (file is only used in error messages); for tests and --check-config.
Result<Config> load_config_text(const std::string& text, const std::string& file);

}  // namespace authmilter::conf
