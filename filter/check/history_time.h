// history_time.h - the --since / --until values of authmilter-check --history.
//
// Accepted: unix seconds ("1733000000"), a UTC date ("2026-12-01", its midnight) like
// authmilter-report's, or an age before `now`: a count and a unit, "7d", "24h", "30m" (days,
// hours, minutes). Anything else, a date that does not exist, or an age over 100 years, is
// nullopt (the caller names the option and the text). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace authmilter::check {

std::optional<std::int64_t> parse_history_time(std::string_view text, std::int64_t now);

}  // namespace authmilter::check
