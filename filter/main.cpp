// main.cpp - authmilter, the milter daemon: load the config, bind, drop root, serve.
//
// Order matters: the config is validated first (nothing is touched on a bad file), the process
// detaches before any thread exists, the socket is bound and the pidfile written while still
// root, then privileges are dropped for good; the resolver, DKIM library and record store are
// built as the daemon's user (as they are again on every reload) before the first connection.
#include <libmilter/mfapi.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "daemon/background.h"
#include "daemon/command_line.h"
#include "daemon/descriptor_budget.h"
#include "daemon/journal_stream.h"
#include "daemon/log.h"
#include "daemon/metrics_server.h"
#include "daemon/milter_callbacks.h"
#include "daemon/milter_socket.h"
#include "daemon/pidfile.h"
#include "daemon/privileges.h"
#include "daemon/probe_token.h"
#include "daemon/reload_signal.h"
#include "daemon/runtime.h"
#include "metrics/registry.h"

namespace authmilter::daemon {
namespace {

int fail(const std::string& message, int exit_code) {
  log_line(LogLevel::error, message);
  return exit_code;
}

Status register_milter(const conf::DaemonSettings& settings) {
  static smfiDesc description = milter_description();
  static std::string connection;  // libmilter keeps the pointer
  connection = settings.socket.to_libmilter();
  if (smfi_register(description) != MI_SUCCESS) return Error{"smfi_register failed"};
  if (smfi_setconn(connection.data()) != MI_SUCCESS) return Error{"smfi_setconn failed"};
  smfi_settimeout(settings.milter_timeout_seconds);
  smfi_setbacklog(settings.listen_backlog);
  return Ok{};
}

// libmilter's signal thread sigwait()s for these; every thread we start before smfi_main() (the
// resolver's) must inherit them blocked, or a SIGHUP/SIGTERM would kill the process outright.
void block_milter_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

// A SIGTERM/SIGINT that came while we were starting waits, blocked and pending. Handed to
// libmilter's signal thread as smfi_main() starts, it would close the listening socket under
// the listener (reload_signal.h); a stop asked for before we serve is simply done here.
bool stop_pending() {
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) != 0) return false;
  return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

int serve(conf::Config config, bool foreground) {
  // Files we create (record store, its journal, the pidfile) are never world-accessible.
  umask(027);
  // In the foreground lines also go to stderr, unless stderr is the journal (journal_stream.h).
  open_log(config.daemon.syslog_facility,
           foreground && !is_journal_stream(std::getenv("JOURNAL_STREAM"), STDERR_FILENO));
  metrics::registry();  // built now, so authmilter_process_start_time_seconds is the start
  const conf::DaemonSettings settings = config.daemon;
  auto run_as = resolve_user(settings.user, settings.group);
  if (!run_as.ok()) return fail("config " + config.file + ": " + run_as.error(), EX_CONFIG);
  if (!foreground) {
    if (auto detached = run_in_background(); !detached.ok())
      return fail(detached.error(), EX_OSERR);
  }
  // Before the socket accepts: a SIGTERM sent as soon as the MTA (or a test) can connect waits,
  // pending, for libmilter's signal thread and stops the daemon cleanly instead of killing it.
  block_milter_signals();
  if (auto registered = register_milter(settings); !registered.ok())
    return fail(registered.error(), EX_SOFTWARE);
  gid_t socket_gid = run_as->gid;
  if (!settings.socket_group.empty()) {
    auto group = resolve_user("", settings.socket_group);
    if (!group.ok()) return fail(group.error(), EX_CONFIG);
    socket_gid = group->gid;
  }
  const SocketOwnership ownership{settings.socket_mode, run_as->uid, socket_gid};
  if (auto opened = open_milter_socket(settings.socket, ownership); !opened.ok())
    return fail(opened.error(), EX_UNAVAILABLE);
  if (auto written = write_pidfile(settings.pidfile, run_as->uid, run_as->gid); !written.ok())
    return fail(written.error(), EX_CANTCREAT);
  // Probes are a convenience: without the key the daemon filters mail as ever, and says so.
  if (!settings.probe_key_file.empty()) {
    auto key = ProbeKey::load_or_create(settings.probe_key_file);
    if (key.ok())
      install_probe_key(std::move(*key));
    else
      log_line(LogLevel::warning, key.error() + ": authmilter-check --smtp probes are refused");
  }
  // Bound as root like the milter socket, after the signals are blocked (its thread inherits
  // them); stopped when `metrics_server` goes out of scope, after smfi_main() returns.
  auto metrics_server = start_metrics_server(settings.metrics);
  if (!metrics_server.ok()) return fail(metrics_server.error(), EX_UNAVAILABLE);
  if (auto dropped = drop_privileges(*run_as); !dropped.ok())
    return fail("cannot drop privileges: " + dropped.error(), EX_NOPERM);
  // Before the resolver is built: its sockets need the room this makes.
  fit_connections_to_descriptors(settings.max_connections);
  auto runtime = build_runtime(std::move(config), RecordStoreUse::open);
  if (!runtime.ok()) return fail(runtime.error(), EX_UNAVAILABLE);
  install_runtime(std::move(*runtime));
  if (geteuid() == 0)
    log_line(LogLevel::warning, "running as root: set 'user:' in the configuration");
  log_line(LogLevel::notice, std::string("authmilter ") + AUTHMILTER_VERSION + " listening on " +
                                 settings.socket.to_libmilter());
  if (settings.metrics.enabled())
    log_line(LogLevel::notice, "serving GET /metrics on " + settings.metrics.listen);
  int status = MI_SUCCESS;
  if (stop_pending()) {
    log_line(LogLevel::notice, "stopped by a signal while starting");
  } else {
    status = smfi_main();
    if (status != MI_SUCCESS && stop_signal_received()) {
      log_line(LogLevel::notice,
               "stopped by a signal while starting (libmilter's message above "
               "is a consequence, not a fault)");
      status = MI_SUCCESS;
    }
  }
  remove_pidfile(settings.pidfile);
  log_line(LogLevel::notice, "authmilter stopped");
  install_runtime(nullptr);
  return status == MI_SUCCESS ? EXIT_SUCCESS : EX_SOFTWARE;
}

}  // namespace
}  // namespace authmilter::daemon

int main(int argc, char** argv) {
  using namespace authmilter;
  const auto line = daemon::parse_command_line(argc, argv, conf::kDefaultConfigPath);
  if (!line.error.empty()) {
    std::fprintf(stderr, "authmilter: %s\n%s", line.error.c_str(), daemon::usage_text());
    return EX_USAGE;
  }
  if (line.show_help) {
    std::fputs(daemon::usage_text(), stdout);
    return EXIT_SUCCESS;
  }
  if (line.show_version) {
    std::printf("authmilter %s\n", AUTHMILTER_VERSION);
    return EXIT_SUCCESS;
  }
  auto config = conf::load_config(line.config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "authmilter: %s\n", config.error().c_str());
    return EX_CONFIG;
  }
  if (line.check_config) {
    // The users and groups are part of the configuration an operator wants checked.
    const auto& settings = config->daemon;
    auto run_as = daemon::resolve_user(settings.user, settings.group);
    if (run_as.ok() && !settings.socket_group.empty())
      run_as = daemon::resolve_user("", settings.socket_group);
    if (!run_as.ok()) {
      std::fprintf(stderr, "authmilter: %s: %s\n", line.config_path.c_str(),
                   run_as.error().c_str());
      return EX_CONFIG;
    }
    std::printf("%s: configuration OK\n", line.config_path.c_str());
    return EXIT_SUCCESS;
  }
  return daemon::serve(std::move(*config), line.foreground);
}
