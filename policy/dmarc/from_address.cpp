#include "dmarc/from_address.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <mutex>

#include "common/c_handle.h"
#include "dmarc/domain_name.h"

namespace authmilter::dmarc {

namespace {

void unref_object(void* object) {
  g_object_unref(object);
}
using AddressListHandle = CHandle<InternetAddressList, unref_object>;
using ParserOptionsHandle = CHandle<GMimeParserOptions, g_mime_parser_options_free>;

void ensure_gmime() {
  // g_mime_init() is process-wide and not re-entrant; the first parse initialises it.
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

struct Collector {
  FromAuthors out;
  std::size_t mailboxes = 0;
  bool bad_domain = false;
  std::string bad_reason;
};

void collect_mailbox(InternetAddressMailbox* mailbox, Collector& c) {
  ++c.mailboxes;
  // idn_addr is the address with its domain IDNA-encoded (A-labels), as DMARC requires.
  const char* idn = internet_address_mailbox_get_idn_addr(mailbox);
  const std::string_view address = idn != nullptr ? idn : "";
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 >= address.size()) {
    c.bad_domain = true;
    c.bad_reason = "mailbox without a domain";
    return;
  }
  const auto domain = normalize_domain(address.substr(at + 1));
  if (!domain) {
    c.bad_domain = true;
    c.bad_reason = "mailbox with an invalid domain";
    return;
  }
  c.out.domains.push_back(*domain);
}

void collect(InternetAddressList* list, Collector& c, int depth) {
  const int length = internet_address_list_length(list);
  for (int i = 0; i < length && c.mailboxes <= kMaxFromAddresses; ++i) {
    InternetAddress* address = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
      collect_mailbox(INTERNET_ADDRESS_MAILBOX(address), c);
    } else if (INTERNET_ADDRESS_IS_GROUP(address) && depth == 0) {
      // RFC 5322 groups do not nest; GMime would not produce it, but do not recurse anyway.
      collect(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), c, 1);
    }
  }
}

FromAuthors classify(Collector& c) {
  FromAuthors& out = c.out;
  if (c.mailboxes > kMaxFromAddresses) {
    out.status = FromStatus::unparseable;
    out.reason = "more than " + std::to_string(kMaxFromAddresses) + " addresses";
  } else if (c.bad_domain) {
    out.status = FromStatus::unparseable;
    out.reason = c.bad_reason;
  } else if (c.mailboxes == 0) {
    out.status = FromStatus::no_address;
    out.reason = "no mailbox in From";
  } else if (c.mailboxes > 1) {
    out.status = FromStatus::multiple;
    out.reason = std::to_string(c.mailboxes) + " mailboxes in From";
  } else {
    out.status = FromStatus::ok;
  }
  return std::move(out);
}

}  // namespace

const char* to_string(FromStatus status) {
  switch (status) {
    case FromStatus::ok:
      return "ok";
    case FromStatus::multiple:
      return "multiple";
    case FromStatus::no_address:
      return "no_address";
    case FromStatus::unparseable:
      return "unparseable";
  }
  return "unparseable";
}

std::vector<std::string> FromAuthors::unique_domains() const {
  std::vector<std::string> unique;
  for (const auto& d : domains) {
    if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(d);
  }
  return unique;
}

FromAuthors parse_from_header(std::string_view value) {
  FromAuthors out;
  if (value.size() > kMaxFromValueLength) {
    out.reason = "From value longer than " + std::to_string(kMaxFromValueLength) + " bytes";
    return out;
  }
  if (value.find('\0') != std::string_view::npos) {
    out.reason = "NUL byte in From";
    return out;
  }
  const bool blank = std::all_of(value.begin(), value.end(), [](char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
  });
  if (blank) {
    out.status = FromStatus::no_address;
    out.reason = "empty From";
    return out;
  }
  ensure_gmime();
  ParserOptionsHandle options(g_mime_parser_options_new());
  const std::string text(value);
  AddressListHandle list(internet_address_list_parse(options.get(), text.c_str()));
  if (!list || internet_address_list_length(list.get()) == 0) {
    out.reason = "no RFC 5322 address found";
    return out;
  }
  Collector collector;
  collect(list.get(), collector, 0);
  return classify(collector);
}

}  // namespace authmilter::dmarc
