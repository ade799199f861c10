#include "check/run_check.h"

#include <sysexits.h>

#include <cstdio>

#include "check/check_report.h"
#include "check/message_file.h"
#include "conf/config.h"
#include "daemon/runtime.h"

namespace authmilter::check {

namespace {

constexpr std::size_t kBodyChunk = 65535;  // libmilter's MILTER_CHUNK_SIZE

int fail(const std::string& message, int code) {
  std::fprintf(stderr, "authmilter-check: %s\n", message.c_str());
  return code;
}

void note_limits(evaluation::MessageEvaluation& evaluation, CheckReport& report) {
  for (const auto& breach : evaluation.take_limit_breaches())
    report.limits.push_back(evaluation::describe(breach));
}

CheckReport evaluate(const evaluation::EvaluationSettings& settings, const CheckOptions& options,
                     const StoredMessage& message) {
  evaluation::ConnectionFacts connection{
      .client_address = options.client_ip, .client_name = "", .helo = options.helo};
  evaluation::MessageEvaluation evaluation(settings, connection,
                                           {.mail_from = *options.mail_from,
                                            .authenticated_user = "",
                                            .queue_id = "",
                                            .recipients = {}});
  CheckReport report;
  report.skip_reason = evaluation.skip_reason();
  evaluation.check_sender();
  for (const auto& recipient : options.recipients) {
    report.reply = evaluation.recipient(recipient);
    if (report.reply.kind != evaluation::StageReply::Kind::proceed) {
      report.refused_at = "RCPT TO";
      note_limits(evaluation, report);
      return report;
    }
  }
  for (const auto& [name, value] : message.headers) evaluation.header(name, value);
  evaluation.end_of_headers();
  for (std::size_t offset = 0; offset < message.body.size(); offset += kBodyChunk) {
    const std::size_t length = std::min(kBodyChunk, message.body.size() - offset);
    evaluation.body_chunk({message.body.data() + offset, length});
  }
  report.outcome = evaluation.end_of_message();
  report.reply = report.outcome.reply;
  note_limits(evaluation, report);
  return report;
}

}  // namespace

int run_check(const CheckOptions& options) {
  auto config = conf::load_config(options.config_path);
  if (!config.ok()) return fail(config.error(), EX_CONFIG);
  auto message = read_message_file(options.message_path);
  if (!message.ok()) return fail(message.error(), EX_NOINPUT);
  // A check records nothing: it must not open (or, run as root, create) the daemon's store.
  auto runtime = daemon::build_runtime(std::move(*config), daemon::RecordStoreUse::none);
  if (!runtime.ok()) return fail(runtime.error(), EX_UNAVAILABLE);
  const CheckReport report = evaluate((*runtime)->evaluation, options, *message);
  const std::string text = options.json ? format_json(report) : format_text(report);
  std::fputs(text.c_str(), stdout);
  return EX_OK;
}

}  // namespace authmilter::check
