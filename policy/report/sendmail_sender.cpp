// sendmail_sender.cpp - posix_spawn + a pipe to the sendmail program's standard input.
#include <fcntl.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigset_t, sigemptyset
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "report/report_sender.h"

extern char** environ;

namespace authmilter::report {

namespace {

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t wrote = write(fd, data.data() + done, data.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    done += static_cast<std::size_t>(wrote);
  }
  return true;
}

}  // namespace

Status SendmailSender::send(const std::string& message, const std::string& recipient) {
  if (argv_.empty()) return Error{"sendmail: no command configured"};
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error{std::string("sendmail: pipe: ") + strerror(errno)};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  std::vector<char*> argv;
  for (auto& arg : argv_) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (rc != 0) {
    close(fds[1]);
    return Error{"sendmail: cannot run " + argv_[0] + ": " + strerror(rc)};
  }
  // A sendmail that exits early must not kill us with SIGPIPE.
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &previous);
  const bool written = write_all(fds[1], message);
  close(fds[1]);
  sigaction(SIGPIPE, &previous, nullptr);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!written)
    return Error{"sendmail: " + argv_[0] + " did not read the message for " + recipient};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Error{"sendmail: " + argv_[0] + " failed for " + recipient + " (status " +
                 std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")"};
  return Ok{};
}

}  // namespace authmilter::report
