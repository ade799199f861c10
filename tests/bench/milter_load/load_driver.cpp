// load_driver.cpp - the epoll loop of milter_load (see load_driver.h).
#include "load_driver.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "milter_socket.h"
#include "proc_stats.h"

namespace authmilter::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kReadChunk = 65536;
constexpr std::size_t kMaxErrorSamples = 8;
constexpr int kMaxEvents = 256;
constexpr auto kRetryDelay = std::chrono::milliseconds(100);  // after a refused connection
constexpr auto kSweepInterval = std::chrono::milliseconds(250);

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

struct Connection {
  explicit Connection(std::string_view expect) : session(expect) {}
  int fd = -1;
  MilterSession session;
  std::string out;
  std::size_t out_sent = 0;
  std::string in;
  bool in_flight = false;  // a message (or the negotiation) awaits replies
  bool writing = false;    // EPOLLOUT registered
  int done_here = 0;       // messages finished on this connection
  Clock::time_point opened{};
  Clock::time_point started{};
  Clock::time_point last_activity{};
  char queue_id[20] = {};
};

class Driver {
 public:
  Driver(const Workload& workload, const LoadOptions& options, RunStats& stats)
      : workload_(workload), options_(options), stats_(stats) {}
  ~Driver() {
    for (auto& connection : connections_) close_connection(connection);
    if (epoll_ >= 0) ::close(epoll_);
  }
  Status run();

 private:
  bool budget_left(Clock::time_point now) const;
  void open_connection(std::size_t index, Clock::time_point now);
  void try_start(std::size_t index, Clock::time_point now);
  void start_now(std::size_t index, Clock::time_point now);
  void start_message(Connection& connection, Clock::time_point now);
  void on_readable(std::size_t index, Clock::time_point now);
  bool handle(std::size_t index, Event event, Clock::time_point now);
  void finish_message(std::size_t index, Clock::time_point now);
  void fail(std::size_t index, const char* reason, Clock::time_point now);
  void flush(Connection& connection);
  void set_writing(Connection& connection, bool writing);
  void close_connection(Connection& connection);
  void run_due(Clock::time_point now);
  void sweep(Clock::time_point now);
  void sample(Clock::time_point now);
  int wait_ms(Clock::time_point now) const;
  void note_error(std::string_view reason);

  const Workload& workload_;
  const LoadOptions& options_;
  RunStats& stats_;
  int epoll_ = -1;
  std::vector<Connection> connections_;
  std::vector<std::pair<Clock::time_point, std::size_t>> due_;  // idle connections
  std::uint64_t started_ = 0;                                   // messages claimed (budget)
  std::uint64_t serial_ = 0;  // messages sent: picks the file and the queue id
  std::size_t active_ = 0;
  Clock::time_point begin_{}, end_{}, next_slot_{}, next_sweep_{}, next_sample_{};
};

bool Driver::budget_left(Clock::time_point now) const {
  if (options_.messages > 0 && started_ >= options_.messages) return false;
  return options_.seconds <= 0 || now < end_;
}

void Driver::note_error(std::string_view reason) {
  auto& samples = stats_.error_samples;
  if (samples.size() < kMaxErrorSamples &&
      std::find(samples.begin(), samples.end(), reason) == samples.end()) {
    samples.emplace_back(reason);
  }
}

void Driver::open_connection(std::size_t index, Clock::time_point now) {
  Connection& connection = connections_[index];
  auto fd = connect_milter(options_.socket);
  if (!fd) {
    // A refused connection costs the message it was opened for, then waits a little.
    ++stats_.errors;
    note_error(fd.error());
    due_.emplace_back(now + kRetryDelay, index);
    return;
  }
  connection.fd = *fd;
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = index;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, connection.fd, &event);
  ++active_;
  ++stats_.connections;
  connection.session = MilterSession(options_.expect);
  connection.in.clear();
  connection.done_here = 0;
  connection.in_flight = true;
  connection.opened = connection.last_activity = now;
  connection.session.negotiate(connection.out);
  flush(connection);
}

void Driver::try_start(std::size_t index, Clock::time_point now) {
  Connection& connection = connections_[index];
  if (!budget_left(now)) {
    if (connection.fd >= 0) {
      connection.session.quit(connection.out);
      flush(connection);
      close_connection(connection);
    }
    return;
  }
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.rate > 0 ? 1.0 / options_.rate : 0.0));
  if (options_.rate > 0 && now < next_slot_) {
    due_.emplace_back(next_slot_, index);
    next_slot_ += interval;
    return;
  }
  if (options_.rate > 0) next_slot_ = std::max(next_slot_, now) + interval;
  start_now(index, now);
}

// start_now - claims the next message and starts it (on a new connection: after OPTNEG).
void Driver::start_now(std::size_t index, Clock::time_point now) {
  Connection& connection = connections_[index];
  ++started_;
  if (connection.fd < 0) {
    open_connection(index, now);
  } else {
    start_message(connection, now);
  }
}

void Driver::start_message(Connection& connection, Clock::time_point now) {
  const Message& message = workload_.messages[serial_ % workload_.messages.size()];
  ++serial_;
  // A Postfix-like queue id, unique per message.
  std::snprintf(connection.queue_id, sizeof connection.queue_id, "B%011llX",
                static_cast<unsigned long long>(serial_));
  // The first message on a connection also pays for connecting and negotiating, as an SMTP
  // session with one message per connection does in Postfix.
  connection.started = connection.done_here == 0 ? connection.opened : now;
  connection.in_flight = true;
  connection.last_activity = now;
  connection.session.begin_message(connection.out, message, connection.queue_id);
  flush(connection);
}

void Driver::flush(Connection& connection) {
  while (connection.out_sent < connection.out.size()) {
    const ssize_t sent = ::send(connection.fd, connection.out.data() + connection.out_sent,
                                connection.out.size() - connection.out_sent, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_writing(connection, true);
      return;
    }
    if (sent < 0) return;  // the read side sees the reset and fails the message
    connection.out_sent += static_cast<std::size_t>(sent);
  }
  connection.out.clear();  // keeps the capacity: no allocation on the next message
  connection.out_sent = 0;
  set_writing(connection, false);
}

void Driver::set_writing(Connection& connection, bool writing) {
  if (connection.writing == writing || connection.fd < 0) return;
  connection.writing = writing;
  epoll_event event{};
  event.events = EPOLLIN | (writing ? EPOLLOUT : 0u);
  event.data.u64 = static_cast<std::uint64_t>(&connection - connections_.data());
  epoll_ctl(epoll_, EPOLL_CTL_MOD, connection.fd, &event);
}

void Driver::close_connection(Connection& connection) {
  if (connection.fd < 0) return;
  const Modifications& done = connection.session.modifications();
  stats_.modifications.add_header += done.add_header;
  stats_.modifications.insert_header += done.insert_header;
  stats_.modifications.change_header += done.change_header;
  stats_.modifications.other += done.other;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, connection.fd, nullptr);
  ::close(connection.fd);
  connection.fd = -1;
  connection.writing = false;
  connection.in_flight = false;
  connection.out.clear();
  connection.out_sent = 0;
  --active_;
}

void Driver::fail(std::size_t index, const char* reason, Clock::time_point now) {
  Connection& connection = connections_[index];
  if (connection.in_flight) ++stats_.errors;
  note_error(reason);
  close_connection(connection);
  try_start(index, now);
}

void Driver::finish_message(std::size_t index, Clock::time_point now) {
  Connection& connection = connections_[index];
  const MilterSession& session = connection.session;
  connection.in_flight = false;
  ++connection.done_here;
  ++stats_.completed;
  ++stats_.verdicts[static_cast<int>(session.verdict())];
  if (!session.matched_expectation()) ++stats_.unexpected;
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now - connection.started).count();
  stats_.latency_us.push_back(static_cast<std::uint32_t>(std::min<long long>(micros, UINT32_MAX)));
  if (session.must_close() || connection.done_here >= options_.per_connection) {
    connection.session.quit(connection.out);
    flush(connection);
    close_connection(connection);
  }
  try_start(index, now);
}

bool Driver::handle(std::size_t index, Event event, Clock::time_point now) {
  Connection& connection = connections_[index];
  switch (event) {
    case Event::kWaiting:
      return true;
    case Event::kNegotiated:
      stats_.protocol = connection.session.protocol();
      connection.in_flight = false;
      start_message(connection, now);
      return true;
    case Event::kMessageDone:
      finish_message(index, now);
      return connection.fd >= 0;
    case Event::kError:
      fail(index, connection.session.error(), now);
      return false;
  }
  return false;
}

void Driver::on_readable(std::size_t index, Clock::time_point now) {
  Connection& connection = connections_[index];
  char chunk[kReadChunk];
  for (;;) {
    const ssize_t got = ::read(connection.fd, chunk, sizeof chunk);
    if (got > 0) {
      connection.in.append(chunk, static_cast<std::size_t>(got));
      if (static_cast<std::size_t>(got) < sizeof chunk) break;
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return fail(index, got == 0 ? "milter closed the connection" : "read error", now);
  }
  connection.last_activity = now;
  std::size_t offset = 0;
  const int generation = static_cast<int>(stats_.connections);
  for (;;) {
    Reply reply;
    std::size_t consumed = 0;
    const auto status =
        parse_reply(std::string_view(connection.in).substr(offset), reply, consumed);
    if (status == ParseStatus::kIncomplete) break;
    if (status == ParseStatus::kBad) return fail(index, "bad reply packet length", now);
    offset += consumed;
    const Event event = connection.session.on_reply(connection.out, reply);
    if (event == Event::kWaiting) flush(connection);
    // A closed or replaced connection leaves nothing to parse from the old stream.
    if (!handle(index, event, now) || static_cast<int>(stats_.connections) != generation) return;
  }
  connection.in.erase(0, offset);
}

void Driver::run_due(Clock::time_point now) {
  // Take the due entries out first: try_start() may add new ones.
  std::vector<std::size_t> ready;
  for (auto it = due_.begin(); it != due_.end();) {
    if (it->first <= now) {
      ready.push_back(it->second);
      it = due_.erase(it);
    } else {
      ++it;
    }
  }
  for (const std::size_t index : ready) {
    if (budget_left(now)) {
      start_now(index, now);
    } else {
      try_start(index, now);  // says QUIT and closes
    }
  }
}

void Driver::sweep(Clock::time_point now) {
  for (std::size_t index = 0; index < connections_.size(); ++index) {
    const Connection& connection = connections_[index];
    if (connection.fd >= 0 && connection.in_flight &&
        seconds_between(connection.last_activity, now) > options_.timeout_seconds) {
      fail(index, "timeout waiting for the milter", now);
    }
  }
}

void Driver::sample(Clock::time_point now) {
  const auto rss = rss_kib(options_.milter_pid);
  const auto fds = open_fds(options_.milter_pid);
  if (!rss || !fds) return note_error("cannot read the milter's /proc entries");
  const auto open = static_cast<std::uint64_t>(std::count_if(
      connections_.begin(), connections_.end(), [](const Connection& c) { return c.fd >= 0; }));
  stats_.samples.push_back({seconds_between(begin_, now), stats_.completed, *rss, *fds, open});
}

int Driver::wait_ms(Clock::time_point now) const {
  Clock::time_point wake = next_sweep_;
  for (const auto& entry : due_) wake = std::min(wake, entry.first);
  if (options_.sample_seconds > 0) wake = std::min(wake, next_sample_);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
  return static_cast<int>(std::clamp<long long>(ms + 1, 0, 1000));
}

Status Driver::run() {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) return Error{std::string("epoll_create1: ") + std::strerror(errno)};
  connections_.reserve(static_cast<std::size_t>(options_.concurrency));
  for (int i = 0; i < options_.concurrency; ++i) connections_.emplace_back(options_.expect);
  begin_ = next_slot_ = next_sweep_ = next_sample_ = Clock::now();
  end_ = begin_ + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(options_.seconds));
  for (std::size_t i = 0; i < connections_.size(); ++i) try_start(i, begin_);
  epoll_event events[kMaxEvents];
  while (active_ > 0 || !due_.empty()) {
    const int count = epoll_wait(epoll_, events, kMaxEvents, wait_ms(Clock::now()));
    if (count < 0 && errno != EINTR) return Error{std::string("epoll_wait: ") + strerror(errno)};
    const auto now = Clock::now();
    for (int i = 0; i < count; ++i) {
      const auto index = static_cast<std::size_t>(events[i].data.u64);
      if (connections_[index].fd < 0) continue;
      if (events[i].events & EPOLLOUT) flush(connections_[index]);
      if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(index, now);
    }
    run_due(now);
    if (now >= next_sweep_) sweep(now), next_sweep_ = now + kSweepInterval;
    if (options_.sample_seconds > 0 && now >= next_sample_) {
      sample(now);
      next_sample_ = now + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options_.sample_seconds));
    }
  }
  stats_.wall_seconds = seconds_between(begin_, Clock::now());
  return Ok{};
}

}  // namespace

Result<RunStats> run_load(const Workload& workload, const LoadOptions& options) {
  RunStats stats;
  stats.latency_us.reserve(options.messages > 0 ? options.messages : 1u << 20);
  Result<double> milter_before =
      options.milter_pid > 0 ? cpu_seconds(options.milter_pid) : Result<double>(Error{"no pid"});
  if (options.milter_pid > 0 && !milter_before) return Error{milter_before.error()};
  const double self_before = self_cpu_seconds();
  {
    Driver driver(workload, options, stats);
    auto status = driver.run();
    if (!status) return Error{status.error()};
  }
  stats.driver_cpu_seconds = self_cpu_seconds() - self_before;
  if (options.milter_pid > 0) {
    const auto milter_after = cpu_seconds(options.milter_pid);
    if (!milter_after) return Error{"milter exited during the run: " + milter_after.error()};
    stats.milter_cpu_seconds = *milter_after - *milter_before;
  }
  return stats;
}

}  // namespace authmilter::bench
