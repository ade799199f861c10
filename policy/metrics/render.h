// render.h - the registry as one Prometheus text exposition (format 0.0.4).
//
// render_exposition() reads every cell once (relaxed loads; a scrape racing with mail sees each
// value at some recent moment) and writes every series, zeros included, so that rate() works
// from the first scrape. ProcessFacts carries what the registry cannot know itself. The text is
// what GET /metrics answers with Content-Type "text/plain; version=0.0.4".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "metrics/registry.h"

namespace authmilter::metrics {

inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

struct ProcessFacts {
  std::string_view version;            // authmilter_build_info{version=...}
  std::size_t connections_active = 0;  // milter connections holding a slot now
};

std::string render_exposition(const Registry& registry, const ProcessFacts& facts);

}  // namespace authmilter::metrics
