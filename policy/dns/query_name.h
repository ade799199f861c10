// query_name.h - turning a caller's domain name into text that libunbound parses back exactly.
//
// libunbound takes names as presentation-format text, where '\' starts an escape and '.'
// separates labels. Names reach us from hostile mail (SPF macro expansion, DKIM d=/s=, From
// domains), so every byte other than a letter, digit, '-' or '_' is written as a \DDD escape:
// the bytes the caller gave are the bytes that are asked for, and nothing can smuggle in an
// extra label or escape.
//
// to_query_name() returns nullopt for a name that cannot exist in the DNS: an empty label, a
// label over 63 octets or a name over 255 octets in wire form (RFC 1035 §2.3.4), or the empty
// name. One trailing dot is accepted and dropped. Pure function, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authmilter::dns {

inline constexpr std::size_t kMaxLabelLength = 63;      // RFC 1035 §2.3.4
inline constexpr std::size_t kMaxWireNameLength = 255;  // RFC 1035 §2.3.4, root label included

std::optional<std::string> to_query_name(std::string_view name);

}  // namespace authmilter::dns
