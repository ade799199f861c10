// milter_callbacks.h - the libmilter callback table of authmilter.
//
// Each callback turns libmilter's C arguments into plain values (the client's address, the
// first ESMTP argument) and runs its stage (milter_stages.h) on a LibmilterContext over the
// SMFICTX: the stages hold all the logic, and no exception crosses into libmilter.
#pragma once

#include <libmilter/mfapi.h>

namespace authmilter::daemon {

smfiDesc milter_description();

}  // namespace authmilter::daemon
