// reload_signal.cpp - SIGHUP reloads the configuration instead of stopping the milter.
//
// libmilter runs its own signal thread that sigwait()s for SIGHUP, SIGTERM and SIGINT and stops the
// milter on any of them; it offers no hook. Since that thread is the only caller of sigwait() in
// this process, we interpose sigwait() (an executable's definition takes precedence over the
// shared libc's for libmilter's call): a SIGHUP runs reload_runtime() and the wait continues, every
// other signal is returned to libmilter unchanged, so SIGTERM still stops the milter cleanly, and
// is remembered (reload_signal.h).
#include "daemon/reload_signal.h"

#include <dlfcn.h>
#include <signal.h>

#include <atomic>

#include "daemon/descriptor_budget.h"
#include "daemon/log.h"
#include "daemon/runtime.h"

namespace {

std::atomic<bool> stop_requested{false};

using SigwaitFunction = int (*)(const sigset_t*, int*);

SigwaitFunction real_sigwait() {
  static const auto function = reinterpret_cast<SigwaitFunction>(dlsym(RTLD_NEXT, "sigwait"));
  return function;
}

}  // namespace

bool authmilter::daemon::stop_signal_received() noexcept {
  return stop_requested.load();
}

extern "C" int sigwait(const sigset_t* set, int* signal_number) {
  const SigwaitFunction wait_for = real_sigwait();
  if (wait_for == nullptr) return EINVAL;
  for (;;) {
    const int status = wait_for(set, signal_number);
    if (status != 0) return status;
    if (*signal_number != SIGHUP) {
      stop_requested = true;
      return status;
    }
    try {
      authmilter::daemon::reload_runtime();
      if (const auto runtime = authmilter::daemon::current_runtime()) {
        authmilter::daemon::fit_connections_to_descriptors(runtime->config.daemon.max_connections);
      }
    } catch (...) {
      authmilter::daemon::log_line(authmilter::daemon::LogLevel::error,
                                   "reload failed with an unexpected error");
    }
  }
}
