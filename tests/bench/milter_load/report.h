// report.h - prints a RunStats as milter_load's table, and judges a soak run.
//
// Purpose: one human-readable table row per run (columns explained in tests/bench/README.md),
// one `RESULT key=value ...` line for scripts, and for --soak the samples plus a verdict.
// Soak verdict (judge_soak): after a warm-up of the first quarter of the samples, RSS may grow
// by at most max(10 %, kSoakRssSlackKib) and the open descriptors other than the driver's
// connections (one each) by at most kSoakFdSlack. A run needs kMinSoakSamples samples spanning
// kMinSoakSeconds to be judged at all: a seconds-long run's warm-up growth (thread stacks,
// caches filling) is not a leak, and calling it GROWING (or FLAT) would be a guess.
#pragma once

#include <cstdint>
#include <string>

#include "load_driver.h"

namespace authmilter::bench {

inline constexpr std::uint64_t kSoakRssSlackKib = 4096;
inline constexpr std::uint64_t kSoakFdSlack = 2;
inline constexpr std::size_t kMinSoakSamples = 4;
inline constexpr double kMinSoakSeconds = 60;

enum class SoakVerdict { too_short, flat, growing };
SoakVerdict judge_soak(const RunStats& stats);

// The largest RSS sampled (KiB), 0 without samples; the RESULT line carries it as max_rss_kib.
std::uint64_t max_sampled_rss_kib(const RunStats& stats);

void print_report(const std::string& label, const LoadOptions& options, RunStats& stats);

}  // namespace authmilter::bench
