// milter_callbacks.h - the libmilter callback table of authmilter.
//
// Each callback is one short stage function: get the Session, read plain values, call policy/,
// store the result, return a status. None lets an exception escape into libmilter: a failure is
// logged and answered with SMFIS_TEMPFAIL, like Postfix's milter_default_action = tempfail.
#pragma once

#include <libmilter/mfapi.h>

namespace authmilter::daemon {

smfiDesc milter_description();

}  // namespace authmilter::daemon
