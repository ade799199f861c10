// milter_stages.h - authmilter's milter stages, one function per libmilter callback.
//
// Each stage gets the connection's Session from the MilterContext, reads plain values, calls
// policy/, stores the result and returns libmilter's status (SMFIS_*). milter_callbacks.cpp runs
// them on libmilter's SMFICTX; tests/milter/ runs them on a recording fake.
// None lets an exception escape: a failure is logged and answered with SMFIS_TEMPFAIL, like
// Postfix's milter_default_action = tempfail. A stage the MTA agreed not to wait for (SMFIP_NR_*,
// milter_negotiation.h) answers SMFIS_NOREPLY; if it fails, it drops the message instead, so that
// RCPT or end of message answers tempfail.
// End of message, for a message that is not refused: the forged Authentication-Results headers
// are deleted (highest index first), ours is inserted on top, the report row is committed, then
// a quarantine is carried out (marker header and/or smfi_quarantine) and the message accepted.
// A refused message gets no header edits: its row is committed, then the reply is set. A
// verified authmilter-check probe is refused (550 5.7.0, quoting our header) with no edits and
// no row.
#pragma once

#include <libmilter/mfapi.h>

#include <cstddef>
#include <optional>

#include "daemon/milter_context.h"
#include "net/ip_address.h"

namespace authmilter::daemon {

// The actions and steps the MTA offered; writes what we take into `actions` and `steps`.
sfsistat negotiate_stage(MilterContext& context, unsigned long offered_actions,
                         unsigned long offered_steps, unsigned long* actions, unsigned long* steps);
// client_address: nullopt for a client that is not on IP (local, unknown).
sfsistat connect_stage(MilterContext& context, const char* host_name,
                       std::optional<net::IpAddress> client_address);
sfsistat helo_stage(MilterContext& context, const char* helo);
// The first ESMTP argument, as the MTA sends it ("<a@example.org>"); may be null.
sfsistat envfrom_stage(MilterContext& context, const char* mail_from);
sfsistat envrcpt_stage(MilterContext& context, const char* recipient);
sfsistat header_stage(MilterContext& context, const char* name, const char* value);
sfsistat end_of_headers_stage(MilterContext& context);
sfsistat body_stage(MilterContext& context, const unsigned char* bytes, std::size_t length);
sfsistat end_of_message_stage(MilterContext& context);
sfsistat abort_stage(MilterContext& context);
sfsistat close_stage(MilterContext& context);

}  // namespace authmilter::daemon
