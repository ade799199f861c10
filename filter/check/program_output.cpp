#include "check/program_output.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dns/owned_fd.h"

extern char** environ;

namespace authmilter::check {

Result<std::string> program_output(const std::vector<std::string>& argv) {
  if (argv.empty()) return Error{"no program"};
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + std::strerror(errno)};
  dns::OwnedFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();
  if (spawned != 0) return Error{argv[0] + ": " + std::strerror(spawned)};
  std::string output;
  bool too_long = false;
  char buffer[8192];
  for (;;) {
    const ssize_t got = read(read_end.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (output.size() + static_cast<std::size_t>(got) > kMaxProgramOutput) too_long = true;
    if (!too_long) output.append(buffer, static_cast<std::size_t>(got));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_long)
    return Error{argv[0] + ": output over " + std::to_string(kMaxProgramOutput) + " bytes"};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Error{argv[0] + ": exited with status " + std::to_string(WEXITSTATUS(status))};
  return output;
}

}  // namespace authmilter::check
