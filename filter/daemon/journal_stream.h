// journal_stream.h - is stderr the systemd journal?
//
// Under systemd, the daemon's stderr is a stream the journal reads, and syslog() reaches the same
// journal through /dev/log: with --foreground copying every line to stderr, the journal got each
// line twice. systemd names the stream it connected in JOURNAL_STREAM ("device:inode",
// systemd.exec(5)); when that is our stderr, the copy is left out and syslog alone carries the
// line (so its facility, and where rsyslog files it, stay as configured).
#pragma once

namespace authmilter::daemon {

// True when `journal_stream` (JOURNAL_STREAM's value, or null) names the file open as `fd`.
bool is_journal_stream(const char* journal_stream, int fd);

}  // namespace authmilter::daemon
