// reload_signal.h - what the sigwait() interposer (reload_signal.cpp) saw.
#pragma once

namespace authmilter::daemon {

// True once libmilter's signal thread was handed a stopping signal (SIGTERM, SIGINT). A stop
// that comes while smfi_main() is still starting makes libmilter close the listening socket
// before its listener runs; the listener then tries to bind the path again and fails ("Address
// already in use"). That is a requested stop, not a failure: main() exits 0 for it.
bool stop_signal_received() noexcept;

}  // namespace authmilter::daemon
