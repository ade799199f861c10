// uri.h - DMARC reporting URIs (the rua= and ruf= values).
//
// parse_uri_list() splits a dmarc-urilist (RFC 9989 §4.8, RFC 7489 §6.4) on commas and parses
// each element: an RFC 3986 URI, optionally followed by the RFC 7489 "!size" limit
// ("!10m"). Every element is returned, valid or not, so that reports and logs can say why an
// address is ignored; `usable` marks the ones a report can actually be sent to: mailto: with
// one syntactically valid addr-spec (RFC 9989 §4.7 "A Mail Receiver MUST implement support
// for a mailto: URI"; URIs with other schemes "MUST be ignored"). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authmilter::dmarc {

inline constexpr std::size_t kMaxReportUris = 16;        // our bound; RFC 7489 §6.2 needs 2
inline constexpr std::size_t kMaxReportUriLength = 512;  // our bound on one URI

struct ReportUri {
  std::string text;                        // the URI as published, without the !size suffix
  std::string scheme;                      // lower-cased, empty when the URI is malformed
  std::string address;                     // mailto: only: the decoded addr-spec
  std::string domain;                      // mailto: only: lower-cased domain of `address`
  std::optional<std::uint64_t> max_bytes;  // RFC 7489 "!size" limit, in bytes
  bool valid = false;                      // syntactically a URI (with a well-formed suffix)
  bool usable = false;                     // valid mailto: with an addr-spec we can send to
  std::string problem;                     // why it is not valid / not usable

  friend bool operator==(const ReportUri&, const ReportUri&) = default;
};

// parse_report_uri - one dmarc-uri; never fails, see `valid`, `usable` and `problem`.
ReportUri parse_report_uri(std::string_view text);

struct UriList {
  std::vector<ReportUri> uris;  // at most kMaxReportUris
  bool truncated = false;       // more elements were present and dropped
  bool all_valid() const;
  bool any_usable() const;
};

// parse_uri_list - a comma-separated dmarc-urilist (WSP around commas allowed).
UriList parse_uri_list(std::string_view value);

}  // namespace authmilter::dmarc
