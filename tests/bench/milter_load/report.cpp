// report.cpp - milter_load's output (see report.h).
#include "report.h"

#include <algorithm>
#include <cstdio>

namespace authmilter::bench {
namespace {

double percentile_ms(const std::vector<std::uint32_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1));
  return sorted[rank] / 1000.0;
}

double per_message_ms(double seconds, std::uint64_t messages) {
  return messages == 0 || seconds < 0 ? -1 : seconds * 1000.0 / static_cast<double>(messages);
}

// The milter's descriptors other than our connections' (which come and go with the load).
std::uint64_t idle_fds(const SoakSample& sample) {
  return sample.fds > sample.open_connections ? sample.fds - sample.open_connections : 0;
}

std::uint64_t warm_index(const RunStats& stats) {
  return stats.samples.size() / 4;
}

void print_soak(const RunStats& stats) {
  std::printf("  %10s %12s %10s %6s %6s %9s\n", "at_s", "completed", "rss_kib", "fds", "conns",
              "idle_fds");
  for (const auto& sample : stats.samples) {
    std::printf("  %10.1f %12llu %10llu %6llu %6llu %9llu\n", sample.at_seconds,
                static_cast<unsigned long long>(sample.completed),
                static_cast<unsigned long long>(sample.rss_kib),
                static_cast<unsigned long long>(sample.fds),
                static_cast<unsigned long long>(sample.open_connections),
                static_cast<unsigned long long>(idle_fds(sample)));
  }
  const SoakVerdict verdict = judge_soak(stats);
  if (verdict == SoakVerdict::too_short) {
    const double span = stats.samples.empty() ? 0 : stats.samples.back().at_seconds;
    std::printf(
        "  soak: not judged: %zu samples over %.1f s (needs %zu over %.0f s); max rss "
        "%llu KiB\n",
        stats.samples.size(), span, kMinSoakSamples, kMinSoakSeconds,
        static_cast<unsigned long long>(max_sampled_rss_kib(stats)));
    return;
  }
  const auto& warm = stats.samples[warm_index(stats)];
  const auto& last = stats.samples.back();
  std::printf("  soak: rss %llu -> %llu KiB, idle fds %llu -> %llu after warm-up: %s\n",
              static_cast<unsigned long long>(warm.rss_kib),
              static_cast<unsigned long long>(last.rss_kib),
              static_cast<unsigned long long>(idle_fds(warm)),
              static_cast<unsigned long long>(idle_fds(last)),
              verdict == SoakVerdict::flat ? "FLAT" : "GROWING");
}

}  // namespace

std::uint64_t max_sampled_rss_kib(const RunStats& stats) {
  std::uint64_t max_rss = 0;
  for (const auto& sample : stats.samples) max_rss = std::max(max_rss, sample.rss_kib);
  return max_rss;
}

SoakVerdict judge_soak(const RunStats& stats) {
  if (stats.samples.size() < kMinSoakSamples ||
      stats.samples.back().at_seconds - stats.samples.front().at_seconds < kMinSoakSeconds)
    return SoakVerdict::too_short;
  const auto& warm = stats.samples[warm_index(stats)];
  std::uint64_t max_rss = 0, max_fds = 0;
  for (std::size_t i = warm_index(stats); i < stats.samples.size(); ++i) {
    max_rss = std::max(max_rss, stats.samples[i].rss_kib);
    max_fds = std::max(max_fds, idle_fds(stats.samples[i]));
  }
  const std::uint64_t rss_slack = std::max(warm.rss_kib / 10, kSoakRssSlackKib);
  return max_rss <= warm.rss_kib + rss_slack && max_fds <= idle_fds(warm) + kSoakFdSlack
             ? SoakVerdict::flat
             : SoakVerdict::growing;
}

void print_report(const std::string& label, const LoadOptions& options, RunStats& stats) {
  std::sort(stats.latency_us.begin(), stats.latency_us.end());
  const auto& lat = stats.latency_us;
  const double rate = stats.wall_seconds > 0 ? stats.completed / stats.wall_seconds : 0;
  const double driver_ms = per_message_ms(stats.driver_cpu_seconds, stats.completed);
  const double milter_ms = per_message_ms(stats.milter_cpu_seconds, stats.completed);
  std::printf("milter_load %s: concurrency=%d per_connection=%d rate=%g\n", label.c_str(),
              options.concurrency, options.per_connection, options.rate);
  std::printf("  %9s %7s %10s %8s %9s %8s %8s %8s %8s %14s %14s\n", "messages", "errors",
              "unexpected", "seconds", "msgs/s", "p50_ms", "p90_ms", "p99_ms", "max_ms",
              "driver_cpu_ms", "milter_cpu_ms");
  std::printf("  %9llu %7llu %10llu %8.2f %9.1f %8.3f %8.3f %8.3f %8.3f %14.4f %14.4f\n",
              static_cast<unsigned long long>(stats.completed),
              static_cast<unsigned long long>(stats.errors),
              static_cast<unsigned long long>(stats.unexpected), stats.wall_seconds, rate,
              percentile_ms(lat, 0.50), percentile_ms(lat, 0.90), percentile_ms(lat, 0.99),
              lat.empty() ? 0.0 : lat.back() / 1000.0, driver_ms, milter_ms);
  std::printf("  verdicts:");
  for (int v = 0; v < static_cast<int>(Verdict::kCount); ++v) {
    std::printf(" %s=%llu", verdict_name(static_cast<Verdict>(v)),
                static_cast<unsigned long long>(stats.verdicts[v]));
  }
  const Modifications& mods = stats.modifications;
  std::printf(
      "; modifications: add_header=%llu insert_header=%llu change_header=%llu "
      "other=%llu; connections=%llu protocol=0x%X\n",
      static_cast<unsigned long long>(mods.add_header),
      static_cast<unsigned long long>(mods.insert_header),
      static_cast<unsigned long long>(mods.change_header),
      static_cast<unsigned long long>(mods.other),
      static_cast<unsigned long long>(stats.connections), stats.protocol);
  for (const auto& reason : stats.error_samples) std::printf("  error: %s\n", reason.c_str());
  std::printf(
      "RESULT label=%s messages=%llu errors=%llu unexpected=%llu msgs_per_s=%.1f "
      "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f driver_cpu_ms=%.4f "
      "milter_cpu_ms=%.4f max_rss_kib=%llu\n",
      label.c_str(), static_cast<unsigned long long>(stats.completed),
      static_cast<unsigned long long>(stats.errors),
      static_cast<unsigned long long>(stats.unexpected), rate, percentile_ms(lat, 0.5),
      percentile_ms(lat, 0.9), percentile_ms(lat, 0.99), lat.empty() ? 0.0 : lat.back() / 1000.0,
      driver_ms, milter_ms, static_cast<unsigned long long>(max_sampled_rss_kib(stats)));
  if (options.sample_seconds > 0) print_soak(stats);
}

}  // namespace authmilter::bench
