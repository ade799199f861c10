// proc_stats.h - what /proc says about a process: CPU time, resident memory, open files.
//
// Purpose: the driver's measurements of the milter (by pid) and of itself. Linux only.
// Return convention: each reader returns an Error if the process is gone or /proc is
// unreadable; a measurement is never guessed.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "common/result.h"

namespace authmilter::bench {

// cpu_seconds - utime + stime of all threads of pid (/proc/pid/stat fields 14, 15).
Result<double> cpu_seconds(pid_t pid);
// self_cpu_seconds - this process's user + system time (getrusage).
double self_cpu_seconds();
// rss_kib - VmRSS of pid in KiB (/proc/pid/status).
Result<std::uint64_t> rss_kib(pid_t pid);
// open_fds - entries of /proc/pid/fd.
Result<std::uint64_t> open_fds(pid_t pid);

}  // namespace authmilter::bench
