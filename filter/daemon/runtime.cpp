#include "daemon/runtime.h"

#include <atomic>
#include <chrono>

#include "daemon/log.h"
#include "dmarc/org_domain.h"
#include "metrics/registry.h"

namespace authmilter::daemon {

namespace {

std::atomic<std::shared_ptr<const Runtime>>& runtime_slot() {
  static std::atomic<std::shared_ptr<const Runtime>> slot;
  return slot;
}

}  // namespace

Result<std::shared_ptr<const Runtime>> build_runtime(conf::Config config,
                                                     RecordStoreUse store_use) {
  auto runtime = std::make_shared<Runtime>();
  auto resolver = dns::UnboundResolver::create(config.dns);
  if (!resolver.ok()) return Error{"DNS resolver: " + resolver.error()};
  runtime->resolver = std::move(*resolver);
  if (config.dkim_enabled) {
    auto dkim = dkim::DkimLibrary::create(config.dkim);
    if (!dkim.ok()) return Error{"DKIM: " + dkim.error()};
    runtime->dkim = std::move(*dkim);
  }
  if (store_use == RecordStoreUse::open) {
    auto store = report::open_store(config.store);
    if (!store.ok()) return Error{"record store: " + store.error()};
    runtime->store = std::move(*store);
  }
  runtime->evaluation = {.options = config.evaluation,
                         .resolver = runtime->resolver.get(),
                         .dns_message_budget = config.dns.message_budget,
                         .dkim = runtime->dkim.get()};
  auto& options = runtime->evaluation.options;
  if (options.dmarc_enabled && options.dmarc.mode == dmarc::DmarcMode::rfc7489) {
    // RFC 7489 mode: the Public Suffix List is read once here, not per message.
    auto psl = dmarc::load_shared_public_suffix_list(options.dmarc.psl_path);
    if (!psl.ok()) return Error{"DMARC public suffix list: " + psl.error()};
    options.dmarc.psl = *psl;
  }
  runtime->config = std::move(config);
  return std::shared_ptr<const Runtime>(std::move(runtime));
}

std::shared_ptr<const Runtime> current_runtime() {
  return runtime_slot().load();
}

void install_runtime(std::shared_ptr<const Runtime> runtime) {
  runtime_slot().store(std::move(runtime));
}

namespace {

// The daemon settings applied once at start (binding, privileges, libmilter, syslog), that a
// reload does not change; named so that the operator is not left guessing.
std::string restart_only_changes(const conf::DaemonSettings& old, const conf::DaemonSettings& now) {
  std::string changed;
  const auto note = [&](bool differs, const char* key) {
    if (differs) changed += (changed.empty() ? "" : ", ") + std::string(key);
  };
  note(now.socket.to_libmilter() != old.socket.to_libmilter(), "socket");
  note(now.socket_mode != old.socket_mode, "socket_mode");
  note(now.socket_group != old.socket_group, "socket_group");
  note(now.user != old.user, "user");
  note(now.group != old.group, "group");
  note(now.pidfile != old.pidfile, "pidfile");
  note(now.probe_key_file != old.probe_key_file, "probe_key_file");
  note(now.listen_backlog != old.listen_backlog, "listen_backlog");
  note(now.milter_timeout_seconds != old.milter_timeout_seconds, "milter_timeout");
  note(now.syslog_facility != old.syslog_facility, "syslog_facility");
  note(now.metrics.listen != old.metrics.listen, "metrics.listen");
  return changed;
}

// authmilter_config_reloads_total and the last reload's outcome and time.
void count_reload(bool succeeded) {
  auto& registry = metrics::registry();
  metrics::count(registry.config_reloads,
                 succeeded ? metrics::ReloadOutcome::ok : metrics::ReloadOutcome::error);
  registry.config_last_reload_success.set(succeeded ? 1 : 0);
  registry.config_last_reload_timestamp.set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

void reload_runtime() {
  const auto running = current_runtime();
  if (!running) return;
  auto config = conf::load_config(running->config.file);
  if (!config.ok()) {
    log_line(LogLevel::error,
             "reload failed, keeping the running configuration: " + config.error());
    count_reload(false);
    return;
  }
  const std::string unapplied = restart_only_changes(running->config.daemon, config->daemon);
  auto runtime = build_runtime(std::move(*config), RecordStoreUse::open);
  if (!runtime.ok()) {
    log_line(LogLevel::error,
             "reload failed, keeping the running configuration: " + runtime.error());
    count_reload(false);
    return;
  }
  install_runtime(std::move(*runtime));
  count_reload(true);
  // Logged once the new runtime is in place: a reader of either line may rely on new
  // connections getting the reloaded configuration (test_daemon's reload test waits for it).
  if (!unapplied.empty())
    log_line(LogLevel::warning,
             "reload: changes to " + unapplied +
                 " take effect only after a restart; running with the old values");
  log_line(LogLevel::notice, "configuration reloaded from " + running->config.file);
}

}  // namespace authmilter::daemon
