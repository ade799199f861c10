// pipeline_fuzz.cpp - the whole per-message pipeline, driven as the milter drives it.
//
// Input (pipeline_input.h): fuzzed zone data (SPF, DKIM key and DMARC records, DNS failures),
// an envelope, a message, and control bytes that pick the settings, the stage order and the
// body chunk sizes. The target builds evaluation::MessageEvaluation, the object the daemon's
// Session and authmilter-check drive, over an in-memory ZoneResolver and the real DkimLibrary,
// and calls its stages:
//   milter  - libmilter's order (MAIL, RCPT*, header*, EOH, body*, EOM), as the daemon sees it;
//   restart - several transactions on one connection, each a new MessageEvaluation (as Session
//             replaces it at MAIL FROM), some aborted at any stage, optional stages skipped as
//             the MTA may negotiate (SMFIP_NOHDRS, SMFIP_NOEOH, SMFIP_NOBODY);
//   hostile - any stage in any order, repeated or missing, end_of_message() more than once:
//             libmilter's state machine prevents this, but MessageEvaluation must stay memory
//             safe and never invent a pass if a caller gets it wrong.
// Body chunks have sizes from 0 to the whole body, plus an optional chunk of 1 MiB (far over
// libmilter's 65535-byte MILTER_CHUNK_SIZE).
// After every end_of_message() and recipient() the invariants of pipeline_invariants.h are
// checked; a broken one is printed and the target aborts (libFuzzer then saves the input).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/ascii.h"
#include "dkim/dkim_library.h"
#include "dmarc/org_domain.h"
#include "dns/zone_resolver.h"
#include "evaluation/message_evaluation.h"
#include "fuzz_message.h"
#include "pipeline_input.h"
#include "pipeline_invariants.h"

namespace {

using namespace authmilter;

constexpr std::string_view kAuthservId = "mx.example.net";
// Empty body chunks sent at most; after that a 0 size means MILTER_CHUNK_SIZE (no endless loop).
constexpr int kMaxEmptyChunks = 16;

// The PSL for RFC 7489 mode, loaded once; null when the system has none (RFC 9989 mode only).
std::shared_ptr<const dmarc::PublicSuffixList> public_suffix_list() {
  static const auto loaded = dmarc::load_shared_public_suffix_list("");
  return loaded.ok() ? *loaded : nullptr;
}

const std::string& huge_chunk() {
  static const std::string chunk = [] {
    std::string text;
    while (text.size() + 66 <= fuzz::kHugeChunkSize) text += std::string(64, 'x') + "\r\n";
    return text;
  }();
  return chunk;
}

// PIPELINE_FUZZ_VERBOSE=1 prints every AR value (to check what a seed reaches).
bool verbose() {
  static const bool on = std::getenv("PIPELINE_FUZZ_VERBOSE") != nullptr;
  return on;
}

void fail(const std::string& problem, const std::string& authentication_results) {
  std::fprintf(stderr, "pipeline_fuzz: invariant broken: %s\nAR value: %s\n", problem.c_str(),
               authentication_results.c_str());
  std::abort();
}

evaluation::EvaluationSettings make_settings(const fuzz::Plan& plan, dns::Resolver& resolver,
                                             const std::optional<net::IpAddress>& client) {
  evaluation::EvaluationSettings settings;
  settings.options.authserv_id = std::string(kAuthservId);
  settings.options.spf.timestamp = 1;  // deterministic %{t}
  settings.options.spf.receiver_host = std::string(kAuthservId);
  settings.options.spf_policy.check_helo = plan.check_helo;
  settings.options.spf_policy.reject_on_fail = plan.reject_on_fail;
  if (plan.tempfail_on_spf_temperror)
    settings.options.spf_policy.on_temperror = evaluation::TemperrorAction::tempfail;
  settings.options.skip_authenticated = plan.skip_authenticated;
  if (plan.trusted_client && client) {
    if (auto block = net::CidrBlock::parse(client->is_v4() ? "0.0.0.0/0" : "::/0"))
      settings.options.trusted_networks.push_back(*block);
  }
  settings.options.dmarc_enabled = plan.dmarc_enabled;
  settings.options.dmarc.psl = public_suffix_list();
  if (plan.rfc7489 && settings.options.dmarc.psl)
    settings.options.dmarc.mode = dmarc::DmarcMode::rfc7489;
  settings.options.dmarc.sampler = [] { return 50; };  // deterministic pct sampling
  settings.options.local_policy.dry_run = plan.dry_run;
  settings.options.local_policy.multiple_from =
      static_cast<dmarc::MultipleFromPolicy>(plan.multiple_from);
  settings.resolver = &resolver;
  settings.dkim = plan.dkim_enabled ? &fuzz::dkim_library() : nullptr;
  return settings;
}

// One SMTP connection: the Session's view of MessageEvaluation, stage by stage.
class Connection {
 public:
  Connection(const fuzz::PipelineInput& input, const evaluation::EvaluationSettings& settings,
             fuzz::TracingResolver& dns, evaluation::ConnectionFacts facts)
      : input_(input), settings_(settings), dns_(dns), facts_(std::move(facts)) {}

  void mail_from() {  // a new transaction replaces the old one wholesale, as Session does
    evaluation::Envelope envelope;
    envelope.mail_from = input_.envelope.mail_from;
    envelope.authenticated_user = input_.envelope.auth_user;
    message_.emplace(settings_, facts_, std::move(envelope));
    next_header_ = next_recipient_ = body_at_ = next_chunk_ = 0;
    authentication_results_ = 0;
    huge_sent_ = false;
  }
  void abort() { message_.reset(); }
  void check_sender() { message_->check_sender(); }

  void recipient() {
    const auto& recipients = input_.envelope.recipients;
    const auto reply = message_->recipient(recipients[next_recipient_++ % recipients.size()]);
    if (auto problem = fuzz::check_reply(reply); !problem.empty())
      fail(problem, reply.refusal.text);
  }
  void all_recipients() {
    for (std::size_t i = 0; i < input_.envelope.recipients.size(); ++i) recipient();
  }

  bool header() {
    if (next_header_ >= input_.headers.size()) return false;
    const auto& field = input_.headers[next_header_++];
    if (equal_ignoring_case(field.name, "Authentication-Results")) ++authentication_results_;
    message_->header(field.name, field.value);
    return true;
  }
  void all_headers() {
    while (header()) {
    }
  }
  void end_of_headers() { message_->end_of_headers(); }

  bool body_chunk();
  void all_body() {
    while (body_chunk()) {
    }
  }

  void end_of_message() {
    const auto outcome = message_->end_of_message();
    const fuzz::CheckContext context{kAuthservId, &*message_, &dns_, authentication_results_};
    if (auto problem = fuzz::check_outcome(outcome, context); !problem.empty())
      fail(problem, outcome.authentication_results);
    if (verbose()) std::fprintf(stderr, "AR: %s\n", outcome.authentication_results.c_str());
  }

 private:
  std::size_t next_chunk_size() {
    const auto& sizes = input_.plan.chunk_sizes;
    const std::size_t size =
        sizes.empty() ? fuzz::kMilterChunkSize : sizes[next_chunk_++ % sizes.size()];
    if (size == 0 && ++empty_chunks_ > kMaxEmptyChunks) return fuzz::kMilterChunkSize;
    return size;
  }

  const fuzz::PipelineInput& input_;
  const evaluation::EvaluationSettings& settings_;
  fuzz::TracingResolver& dns_;
  const evaluation::ConnectionFacts facts_;
  std::optional<evaluation::MessageEvaluation> message_;
  std::size_t next_header_ = 0, next_recipient_ = 0, body_at_ = 0, next_chunk_ = 0;
  int authentication_results_ = 0, empty_chunks_ = 0;
  bool huge_sent_ = false;
};

// One chunk; false once the body (and the huge chunk, when asked for) has been sent.
bool Connection::body_chunk() {
  const std::string& body = input_.body;
  if (body_at_ >= body.size()) {
    if (!input_.plan.huge_chunk || huge_sent_) return false;
    huge_sent_ = true;
    message_->body_chunk({huge_chunk().data(), huge_chunk().size()});
    return true;
  }
  const std::size_t size = std::min(next_chunk_size(), body.size() - body_at_);
  message_->body_chunk({body.data() + body_at_, size});
  body_at_ += size;
  return true;
}

void run_milter_order(Connection& connection) {
  connection.mail_from();
  connection.check_sender();
  connection.all_recipients();
  connection.all_headers();
  connection.end_of_headers();
  connection.all_body();
  connection.end_of_message();
}

// Several transactions; abort_after: 1 after MAIL, 2 after RCPT, 3 after the headers, 4 after
// EOH, 5 in the middle of the body (libmilter calls xxfi_abort; Session drops the message).
void run_restarts(Connection& connection, const fuzz::Plan& plan) {
  for (std::size_t i = 0; i < plan.messages; ++i) {
    const int abort_after = plan.abort_after[i];
    // A new MAIL FROM without an abort replaces the message too (Session::message.emplace).
    const auto stop = [&](int stage) {
      if (abort_after != stage) return false;
      if (stage % 2 == 0) connection.abort();
      return true;
    };
    connection.mail_from();
    connection.check_sender();
    if (stop(1)) continue;
    connection.all_recipients();
    if (stop(2)) continue;
    if (!plan.skip_headers) connection.all_headers();
    if (stop(3)) continue;
    if (!plan.skip_end_of_headers) connection.end_of_headers();
    if (stop(4)) continue;
    if (!plan.skip_body) connection.body_chunk();
    if (stop(5)) continue;
    if (!plan.skip_body) connection.all_body();
    connection.end_of_message();
  }
}

void run_hostile(Connection& connection, const fuzz::Plan& plan) {
  connection.mail_from();
  for (const fuzz::Step step : plan.steps) {
    switch (step) {
      case fuzz::Step::check_sender:
        connection.check_sender();
        break;
      case fuzz::Step::recipient:
        connection.recipient();
        break;
      case fuzz::Step::header:
        connection.header();
        break;
      case fuzz::Step::all_headers:
        connection.all_headers();
        break;
      case fuzz::Step::end_of_headers:
        connection.end_of_headers();
        break;
      case fuzz::Step::body_chunk:
        connection.body_chunk();
        break;
      case fuzz::Step::all_body:
        connection.all_body();
        break;
      case fuzz::Step::end_of_message:
        connection.end_of_message();
        break;
    }
  }
  connection.end_of_message();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::PipelineInput input =
      fuzz::read_pipeline_input({reinterpret_cast<const char*>(data), size});
  dns::ZoneResolver zone;
  fuzz::apply_zone(input.zone, zone);
  fuzz::TracingResolver dns(zone);
  evaluation::ConnectionFacts facts{net::IpAddress::parse(input.envelope.client_ip),
                                    input.envelope.client_name, input.envelope.helo};
  const auto settings = make_settings(input.plan, dns, facts.client_address);
  Connection connection(input, settings, dns, std::move(facts));
  switch (input.plan.order) {
    case fuzz::StageOrder::milter:
      run_milter_order(connection);
      break;
    case fuzz::StageOrder::restart:
      run_restarts(connection, input.plan);
      break;
    case fuzz::StageOrder::hostile:
      run_hostile(connection, input.plan);
      break;
  }
  return 0;
}
