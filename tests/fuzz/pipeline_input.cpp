#include "pipeline_input.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <charconv>
#include <limits>

#include "net/ip_address.h"

namespace authmilter::fuzz {

namespace {

constexpr std::size_t kSections = 4;  // zone, envelope, message, control

// Splits on lines that are exactly "%%" (LF or CRLF); the last section keeps the rest.
std::array<std::string_view, kSections> split_sections(std::string_view data) {
  std::array<std::string_view, kSections> sections{};
  std::size_t index = 0;
  std::size_t start = 0;
  std::size_t at = 0;
  while (index + 1 < kSections && at < data.size()) {
    const auto end = data.find('\n', at);
    std::string_view line = data.substr(at, end == std::string_view::npos ? end : end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t next = end == std::string_view::npos ? data.size() : end + 1;
    if (line == "%%") {
      sections[index++] = data.substr(start, at - start);
      start = next;
    }
    at = next;
  }
  sections[index] = data.substr(std::min(start, data.size()));
  return sections;
}

// Calls `each` for every line, without its line end.
template <class Each>
void for_each_line(std::string_view text, Each each) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    each(line);
  }
}

// "word rest": the first space-separated word and what follows the space.
std::pair<std::string_view, std::string_view> first_word(std::string_view line) {
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), line.substr(space + 1)};
}

std::vector<ZoneLine> read_zone(std::string_view text) {
  std::vector<ZoneLine> zone;
  for_each_line(text, [&](std::string_view line) {
    if (zone.size() >= kMaxZoneLines) return;
    const auto [name, after_name] = first_word(line);
    const auto [type, rest] = first_word(after_name);
    if (name.empty() || type.empty()) return;
    zone.push_back({std::string(name), std::string(type), std::string(rest)});
  });
  return zone;
}

EnvelopeText read_envelope(std::string_view text) {
  EnvelopeText envelope;
  for_each_line(text, [&](std::string_view line) {
    const auto [key, value] = first_word(line);
    if (key == "ip") envelope.client_ip = value;
    if (key == "name") envelope.client_name = value;
    if (key == "helo") envelope.helo = value;
    if (key == "from") envelope.mail_from = value == "<>" ? std::string_view() : value;
    if (key == "auth") envelope.auth_user = value;
    if (key == "rcpt" && envelope.recipients.size() < kMaxRecipients)
      envelope.recipients.emplace_back(value);
  });
  if (envelope.recipients.empty()) envelope.recipients.emplace_back("postmaster@example.net");
  return envelope;
}

// Header fields as libmilter passes them (continuation lines joined with CRLF), then the body.
void read_message(std::string_view text, PipelineInput& input) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if (line.front() == ' ' || line.front() == '\t') {
      if (input.headers.empty()) continue;
      input.headers.back().value += "\r\n";
      input.headers.back().value += line;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    input.headers.push_back(
        {std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
  }
  input.body = std::string(text);
}

std::size_t chunk_size(FuzzedDataProvider& control) {
  static constexpr std::array<std::size_t, 10> kSizes = {
      kMilterChunkSize, 0, 1, 2, 3, 7, 64, 1000, 4096, std::numeric_limits<std::size_t>::max()};
  return kSizes[control.ConsumeIntegralInRange<std::size_t>(0, kSizes.size() - 1)];
}

void read_settings(FuzzedDataProvider& control, Plan& plan) {
  plan.rfc7489 = control.ConsumeBool();
  plan.check_helo = control.ConsumeBool();
  plan.reject_on_fail = control.ConsumeBool();
  plan.tempfail_on_spf_temperror = control.ConsumeBool();
  plan.dry_run = control.ConsumeBool();
  plan.multiple_from = control.ConsumeIntegralInRange(0, 2);
  // Rare switches (one byte value in 16): most inputs should exercise every check.
  plan.trusted_client = control.ConsumeIntegral<std::uint8_t>() >= 240;
  plan.skip_authenticated = control.ConsumeIntegral<std::uint8_t>() < 240;
  plan.dkim_enabled = control.ConsumeIntegral<std::uint8_t>() < 240;
  plan.dmarc_enabled = control.ConsumeIntegral<std::uint8_t>() < 240;
  plan.huge_chunk = control.ConsumeIntegral<std::uint8_t>() >= 248;
}

void read_hand_over(FuzzedDataProvider& control, Plan& plan) {
  plan.order = static_cast<StageOrder>(control.ConsumeIntegralInRange(0, 2));
  const auto sizes = control.ConsumeIntegralInRange<std::size_t>(0, kMaxChunkSizes);
  for (std::size_t i = 0; i < sizes; ++i) plan.chunk_sizes.push_back(chunk_size(control));
  if (plan.order == StageOrder::restart) {
    plan.messages = control.ConsumeIntegralInRange<std::size_t>(1, kMaxMessages);
    for (std::size_t i = 0; i + 1 < plan.messages; ++i)
      plan.abort_after.push_back(control.ConsumeIntegralInRange(0, 5));
    plan.abort_after.push_back(0);  // the last transaction ends, so that it is checked
    plan.skip_headers = control.ConsumeBool();
    plan.skip_end_of_headers = control.ConsumeBool();
    plan.skip_body = control.ConsumeBool();
  }
  if (plan.order == StageOrder::hostile) {
    const auto steps = control.ConsumeIntegralInRange<std::size_t>(0, kMaxHostileSteps);
    for (std::size_t i = 0; i < steps; ++i)
      plan.steps.push_back(static_cast<Step>(
          control.ConsumeIntegralInRange(0, static_cast<int>(Step::end_of_message))));
  }
}

}  // namespace

PipelineInput read_pipeline_input(std::string_view data) {
  const auto sections = split_sections(data);
  PipelineInput input;
  input.zone = read_zone(sections[0]);
  input.envelope = read_envelope(sections[1]);
  read_message(sections[2], input);
  const std::string_view control_bytes = sections[3];
  FuzzedDataProvider control(reinterpret_cast<const std::uint8_t*>(control_bytes.data()),
                             control_bytes.size());
  read_hand_over(control, input.plan);
  read_settings(control, input.plan);
  return input;
}

void apply_zone(const std::vector<ZoneLine>& lines, dns::ZoneResolver& zone) {
  for (const auto& line : lines) {
    if (line.type == "txt") zone.add_txt(line.name, line.rest);
    if (line.type == "a") {
      if (const auto address = net::IpAddress::parse(line.rest))
        zone.add_address(line.name, *address);
    }
    if (line.type == "mx") {
      const auto [preference_text, host] = first_word(line.rest);
      std::uint16_t preference = 10;
      std::from_chars(preference_text.data(), preference_text.data() + preference_text.size(),
                      preference);
      zone.add_mx(line.name, preference, host);
    }
    if (line.type == "cname") zone.add_cname(line.name, line.rest);
    if (line.type == "servfail" || line.type == "timeout") {
      const auto outcome = line.type == "servfail" ? dns::Outcome::servfail : dns::Outcome::timeout;
      if (line.rest == "txt") zone.add_failure(line.name, dns::RecordType::txt, outcome);
      if (line.rest == "a") zone.add_failure(line.name, dns::RecordType::a, outcome);
      if (line.rest == "aaaa") zone.add_failure(line.name, dns::RecordType::aaaa, outcome);
      if (line.rest == "mx") zone.add_failure(line.name, dns::RecordType::mx, outcome);
    }
  }
}

}  // namespace authmilter::fuzz
