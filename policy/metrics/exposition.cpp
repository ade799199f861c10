#include "metrics/exposition.h"

#include <charconv>
#include <cmath>

namespace authmilter::metrics {

std::string escape_label_value(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      escaped += "\\\\";
    else if (c == '"')
      escaped += "\\\"";
    else if (c == '\n')
      escaped += "\\n";
    else
      escaped += c;
  }
  return escaped;
}

std::string escape_help(std::string_view help) {
  std::string escaped;
  escaped.reserve(help.size());
  for (char c : help) {
    if (c == '\\')
      escaped += "\\\\";
    else if (c == '\n')
      escaped += "\\n";
    else
      escaped += c;
  }
  return escaped;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  // Fixed notation ("0.0005", not "5e-04") where it stays short, so bucket labels read well.
  const double magnitude = std::fabs(value);
  const bool fixed = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e15);
  const auto written = std::to_chars(buffer, buffer + sizeof buffer, value,
                                     fixed ? std::chars_format::fixed : std::chars_format::general);
  return std::string(buffer, written.ptr);
}

void ExpositionWriter::family(std::string_view name, std::string_view help, std::string_view type) {
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  text_ += escape_help(help);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void ExpositionWriter::write_labels(std::span<const Label> labels, const Label* extra) {
  if (labels.empty() && extra == nullptr) return;
  text_ += '{';
  bool first = true;
  const auto write = [&](const Label& label) {
    if (!first) text_ += ',';
    first = false;
    text_ += label.name;
    text_ += "=\"";
    text_ += escape_label_value(label.value);
    text_ += '"';
  };
  for (const Label& label : labels) write(label);
  if (extra != nullptr) write(*extra);
  text_ += '}';
}

void ExpositionWriter::sample(std::string_view name, std::span<const Label> labels, double value) {
  text_ += name;
  write_labels(labels, nullptr);
  text_ += ' ';
  text_ += format_number(value);
  text_ += '\n';
}

void ExpositionWriter::histogram(std::string_view name, std::span<const Label> labels,
                                 const HistogramSnapshot& snapshot) {
  const std::string bucket = std::string(name) + "_bucket";
  for (std::size_t i = 0; i < kDurationBounds.size(); ++i) {
    const std::string bound = format_number(kDurationBounds[i]);
    const Label le{"le", bound};
    text_ += bucket;
    write_labels(labels, &le);
    text_ += ' ' + std::to_string(snapshot.cumulative[i]) + '\n';
  }
  const Label infinity{"le", "+Inf"};
  text_ += bucket;
  write_labels(labels, &infinity);
  text_ += ' ' + std::to_string(snapshot.count) + '\n';
  sample(std::string(name) + "_sum", labels, snapshot.sum_seconds);
  sample(std::string(name) + "_count", labels, static_cast<double>(snapshot.count));
}

}  // namespace authmilter::metrics
