// report.h - prints a RunStats as milter_load's table, and judges a soak run.
//
// Purpose: one human-readable table row per run (columns explained in tests/bench/README.md),
// one `RESULT key=value ...` line for scripts, and for --soak the samples plus a verdict.
// Soak verdict (soak_flat): after a warm-up of the first quarter of the samples, RSS may grow
// by at most max(10 %, kSoakRssSlackKib) and the open descriptors other than the driver's
// connections (one each) by at most kSoakFdSlack;
// at least kMinSoakSamples samples are needed to call anything flat.
#pragma once

#include <cstdint>
#include <string>

#include "load_driver.h"

namespace authmilter::bench {

inline constexpr std::uint64_t kSoakRssSlackKib = 4096;
inline constexpr std::uint64_t kSoakFdSlack = 2;
inline constexpr std::size_t kMinSoakSamples = 4;

void print_report(const std::string& label, const LoadOptions& options, RunStats& stats);
bool soak_flat(const RunStats& stats);

}  // namespace authmilter::bench
