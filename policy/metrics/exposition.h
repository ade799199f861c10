// exposition.h - the Prometheus text exposition format 0.0.4, written line by line.
//
// A family starts with family() (its `# HELP` and `# TYPE` lines), then its samples follow:
// sample() for a counter or gauge value, histogram() for the `_bucket{le=...}` lines (cumulative,
// ending with le="+Inf"), `_sum` and `_count`. Label values and help text are escaped here
// (backslash, double quote and newline in label values; backslash and newline in help), so any
// text is safe, though the registry only ever uses bounded enumerations as label values.
// Numbers are written in their shortest exact form ("0.0005", "1", "2.5"). Pure; no I/O.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "metrics/histogram.h"

namespace authmilter::metrics {

struct Label {
  std::string_view name;
  std::string_view value;
};

std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);
std::string format_number(double value);

class ExpositionWriter {
 public:
  // type: "counter", "gauge" or "histogram".
  void family(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, std::span<const Label> labels, double value);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
    sample(name, std::span<const Label>(labels.begin(), labels.size()), value);
  }
  void histogram(std::string_view name, std::span<const Label> labels,
                 const HistogramSnapshot& snapshot);
  void histogram(std::string_view name, std::initializer_list<Label> labels,
                 const HistogramSnapshot& snapshot) {
    histogram(name, std::span<const Label>(labels.begin(), labels.size()), snapshot);
  }

  const std::string& text() const { return text_; }

 private:
  void write_labels(std::span<const Label> labels, const Label* extra);
  std::string text_;
};

}  // namespace authmilter::metrics
