// milter_negotiation.h - what authmilter asks the MTA for at option negotiation.
//
// Header changes, quarantine, macros, header values with their leading space. On TCP sockets we
// ask for no no-reply steps (SMFIP_NODATA, SMFIP_NR_*): each of those makes Postfix write two
// packets back to back without waiting for an answer (e.g. the DATA macros, then the first
// header), and its Nagle algorithm then waits for our delayed ACK: 40 ms per message, measured
// through Postfix. Unix sockets have no Nagle, so there we skip the replies of every stage that
// never refuses (connect, HELO, MAIL, each header, end of headers, body) and the DATA and
// unknown-command stages we have no callback for: one round trip and two thread wake-ups fewer
// per header. RCPT keeps its reply: it may refuse (SPF fail).
// The benchmarks' null milter (tests/bench/null_milter) includes this too, so the floor it
// measures negotiates exactly what the daemon does.
#pragma once

#include <libmilter/mfapi.h>

namespace authmilter::daemon {

inline constexpr unsigned long kMilterActions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE;
inline constexpr unsigned long kMilterWantedSteps = SMFIP_HDR_LEADSPC;
inline constexpr unsigned long kMilterUnixOnlySteps =
    SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY |
    SMFIP_NODATA | SMFIP_NOUNKNOWN;

// The macros read per stage (smfi_setsymlist).
inline constexpr const char* kConnectMacros =
    "{client_addr} {client_name} {daemon_name} {if_addr} j";
inline constexpr const char* kEnvelopeFromMacros = "{auth_authen} {i}";
inline constexpr const char* kEndOfMessageMacros = "{i}";

// Asks for the macros above on this connection.
inline void request_macros(SMFICTX* context) {
  smfi_setsymlist(context, SMFIM_CONNECT, const_cast<char*>(kConnectMacros));
  smfi_setsymlist(context, SMFIM_ENVFROM, const_cast<char*>(kEnvelopeFromMacros));
  smfi_setsymlist(context, SMFIM_EOM, const_cast<char*>(kEndOfMessageMacros));
}

}  // namespace authmilter::daemon
