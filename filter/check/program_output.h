// program_output.h - run a program (no shell) and collect what it prints, bounded.
//
// For authmilter-check's diagnosis, which asks `postconf` how the MTA is set up.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace authmilter::check {

inline constexpr std::size_t kMaxProgramOutput = 1 << 20;

// argv[0] is a path. Error when it cannot run, exits non-zero, or prints more than the bound.
Result<std::string> program_output(const std::vector<std::string>& argv);

}  // namespace authmilter::check
