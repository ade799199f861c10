#include "dns/unbound_answer.h"

#include "dns/wire_rdata.h"

namespace authmilter::dns {

namespace {

constexpr int kRcodeNoError = 0;   // RFC 1035 §4.1.1
constexpr int kRcodeNxDomain = 3;  // RFC 1035 §4.1.1

Outcome classify(const QueryCompletion& completion) {
  using Status = QueryCompletion::Status;
  if (completion.status == Status::timed_out) return Outcome::timeout;
  const ub_result* result = completion.result.get();
  if (completion.status != Status::answered || result == nullptr) return Outcome::servfail;
  if (result->bogus != 0) return Outcome::servfail;
  if (result->rcode == kRcodeNxDomain) return Outcome::nxdomain;
  if (result->rcode != kRcodeNoError) return Outcome::servfail;
  if (result->havedata == 0 || result->data == nullptr || result->data[0] == nullptr) {
    return Outcome::nodata;
  }
  return Outcome::ok;
}

// Only an answer that came back can have been validated; a bogus one is marked even though its
// outcome is servfail, so that DKIM and ARC can tell "no valid key" from a failed lookup.
DnssecStatus dnssec_of(const QueryCompletion& completion, Outcome outcome, bool validating) {
  const ub_result* result = completion.result.get();
  if (completion.status != QueryCompletion::Status::answered || result == nullptr)
    return DnssecStatus::unvalidated;
  if (result->bogus != 0) return DnssecStatus::bogus;
  if (!validating || outcome == Outcome::servfail) return DnssecStatus::unvalidated;
  return result->secure != 0 ? DnssecStatus::secure : DnssecStatus::insecure;
}

// Walks the RDATA list; `parse(rdata, answer)` appends one record and returns its status.
template <class Record, class Parse>
Answer<Record> convert(const QueryCompletion& completion, const AnswerRules& rules, Parse parse) {
  Answer<Record> answer;
  answer.outcome = classify(completion);
  answer.dnssec = dnssec_of(completion, answer.outcome, rules.validating);
  if (answer.outcome == Outcome::servfail || answer.outcome == Outcome::timeout) return answer;
  const ub_result& result = *completion.result;
  const std::size_t max_records = rules.bounds.max_records;
  if (answer.outcome != Outcome::ok) return answer;
  for (std::size_t i = 0; result.data[i] != nullptr; ++i) {
    if (answer.records.size() >= max_records) {
      answer.truncated = true;
      break;
    }
    if (result.len == nullptr || result.len[i] < 0)
      return Answer<Record>{};  // servfail, unvalidated
    const Rdata rdata(reinterpret_cast<const std::uint8_t*>(result.data[i]),
                      static_cast<std::size_t>(result.len[i]));
    const RdataStatus status = parse(rdata, answer);
    if (status == RdataStatus::malformed) return Answer<Record>{};  // servfail
    if (status == RdataStatus::unrepresentable) answer.truncated = true;
  }
  if (answer.records.empty()) answer.outcome = Outcome::nodata;
  return answer;
}

template <class Record>
RdataStatus keep(Parsed<Record> parsed, Answer<Record>& answer) {
  if (parsed.ok()) answer.records.push_back(std::move(parsed.value));
  return parsed.status;
}

}  // namespace

TxtAnswer to_txt_answer(const QueryCompletion& completion, const AnswerRules& rules) {
  const std::size_t max_text = rules.bounds.max_txt_bytes;
  return convert<std::string>(completion, rules, [=](Rdata rdata, TxtAnswer& answer) {
    Parsed<TxtText> txt = parse_txt_rdata(rdata, max_text);
    if (!txt.ok()) return txt.status;
    answer.truncated = answer.truncated || txt.value.truncated;
    answer.records.push_back(std::move(txt.value.text));
    return RdataStatus::ok;
  });
}

AddressAnswer to_address_answer(const QueryCompletion& completion, net::IpFamily family,
                                const AnswerRules& rules) {
  return convert<net::IpAddress>(completion, rules, [family](Rdata rdata, AddressAnswer& answer) {
    return keep(parse_address_rdata(rdata, family), answer);
  });
}

MxAnswer to_mx_answer(const QueryCompletion& completion, const AnswerRules& rules) {
  return convert<MxRecord>(completion, rules, [](Rdata rdata, MxAnswer& answer) {
    return keep(parse_mx_rdata(rdata), answer);
  });
}

NameAnswer to_name_answer(const QueryCompletion& completion, const AnswerRules& rules) {
  return convert<std::string>(completion, rules, [](Rdata rdata, NameAnswer& answer) {
    return keep(parse_name_rdata(rdata), answer);
  });
}

}  // namespace authmilter::dns
