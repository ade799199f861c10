#include "check/check_report.h"

#include <cstdio>

namespace authmilter::check {

namespace {

using evaluation::StageReply;

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

const char* action_of(const CheckReport& report) {
  if (report.reply.kind == StageReply::Kind::reject) return "reject";
  if (report.reply.kind == StageReply::Kind::tempfail) return "tempfail";
  return decision::to_string(report.outcome.decision().action);
}

std::string reply_line(const StageReply& reply) {
  if (reply.kind == StageReply::Kind::proceed) return "";
  return reply.refusal.code + " " + reply.refusal.enhanced + " " + reply.refusal.text;
}

}  // namespace

std::string format_text(const CheckReport& report) {
  std::string out;
  if (!report.skip_reason.empty()) out += "Checks skipped: " + report.skip_reason + "\n";
  for (const auto& limit : report.limits) out += "Limit: " + limit + "\n";
  if (!report.refused_at.empty()) {
    return out + "Action: " + action_of(report) + " at " + report.refused_at + " (" +
           reply_line(report.reply) + ")\n";
  }
  const auto& outcome = report.outcome;
  const auto& decision = outcome.decision();
  out += "Authentication-Results: " + outcome.authentication_results + "\n";
  out += std::string("Action: ") + action_of(report);
  if (report.reply.kind != StageReply::Kind::proceed) out += " (" + reply_line(report.reply) + ")";
  if (decision.action == decision::Action::quarantine) out += decision.hold ? " (hold queue)" : "";
  if (decision.add_header)
    out += " (add " + outcome.quarantine_header_name + ": " + outcome.quarantine_header_value + ")";
  out += "\n";
  if (decision.dry_run)
    out += std::string("Dry run: would ") + decision::to_string(decision.intended) + "\n";
  out += std::string("Disposition: ") + dmarc::to_string(decision.disposition) + "\n";
  if (!decision.why.empty()) out += "Why: " + decision.why + "\n";
  for (const auto& item : decision.overrides)
    out +=
        std::string("Override: ") + decision::to_string(item.reason) + " (" + item.comment + ")\n";
  return out;
}

std::string format_json(const CheckReport& report) {
  const auto& outcome = report.outcome;
  const auto& decision = outcome.decision();
  std::string out = "{";
  out += "\"authentication_results\":" + json_string(outcome.authentication_results);
  out += std::string(",\"action\":") + json_string(action_of(report));
  out += ",\"refused_at\":" + json_string(report.refused_at);
  out += ",\"reply\":" + json_string(reply_line(report.reply));
  out += std::string(",\"intended\":") + json_string(decision::to_string(decision.intended));
  out += std::string(",\"dry_run\":") + (decision.dry_run ? "true" : "false");
  out += std::string(",\"hold\":") + (decision.hold ? "true" : "false");
  out += std::string(",\"disposition\":") + json_string(dmarc::to_string(decision.disposition));
  out += ",\"why\":" + json_string(decision.why);
  out += ",\"skip_reason\":" + json_string(report.skip_reason);
  out += ",\"limits\":[";
  for (std::size_t i = 0; i < report.limits.size(); ++i)
    out += std::string(i ? "," : "") + json_string(report.limits[i]);
  out += "]";
  out += ",\"overrides\":[";
  for (std::size_t i = 0; i < decision.overrides.size(); ++i) {
    out += std::string(i ? "," : "") +
           "{\"reason\":" + json_string(decision::to_string(decision.overrides[i].reason)) +
           ",\"comment\":" + json_string(decision.overrides[i].comment) + "}";
  }
  return out + "]}\n";
}

}  // namespace authmilter::check
