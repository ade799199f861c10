// null_milter - what libmilter itself costs: the floor under authmilter in the benchmarks.
//
//   null_milter unix:/path|inet:PORT@HOST [--backlog N]
//
// Negotiates what authmilter negotiates (it includes filter/daemon/milter_negotiation.h: the same
// actions, protocol steps, no-reply steps on unix sockets only and macro lists), has a
// callback for every stage authmilter has one for, keeps a small per-connection object as
// authmilter does, checks nothing, and inserts one Authentication-Results header at end of
// message. milter_load prints the negotiated flags of each milter, so a benchmark run shows that
// the floor and authmilter agreed on the same protocol. Stops on SIGTERM/SIGINT.
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "daemon/milter_negotiation.h"

namespace {

bool g_unix_socket = false;

struct Connection {
  unsigned long steps = 0;
  std::size_t headers = 0;  // something to touch per header, as a real filter would
};

Connection* connection_of(SMFICTX* context) {
  return static_cast<Connection*>(smfi_getpriv(context));
}

sfsistat reply_or_not(SMFICTX* context, unsigned long no_reply_step) {
  const Connection* connection = connection_of(context);
  return connection != nullptr && (connection->steps & no_reply_step) ? SMFIS_NOREPLY
                                                                      : SMFIS_CONTINUE;
}

sfsistat on_negotiate(SMFICTX* context, unsigned long offered_actions, unsigned long offered_steps,
                      unsigned long, unsigned long, unsigned long* actions, unsigned long* steps,
                      unsigned long*, unsigned long*) {
  auto connection = std::make_unique<Connection>();
  const unsigned long wanted = authmilter::daemon::kMilterWantedSteps |
                               (g_unix_socket ? authmilter::daemon::kMilterUnixOnlySteps : 0);
  *actions = authmilter::daemon::kMilterActions & offered_actions;
  *steps = wanted & offered_steps;
  authmilter::daemon::request_macros(context);
  connection->steps = *steps;
  smfi_setpriv(context, connection.release());
  return SMFIS_CONTINUE;
}

sfsistat on_connect(SMFICTX* context, char*, _SOCK_ADDR*) {
  return reply_or_not(context, SMFIP_NR_CONN);
}
sfsistat on_helo(SMFICTX* context, char*) {
  return reply_or_not(context, SMFIP_NR_HELO);
}
sfsistat on_envfrom(SMFICTX* context, char**) {
  return reply_or_not(context, SMFIP_NR_MAIL);
}
sfsistat on_envrcpt(SMFICTX*, char**) {
  return SMFIS_CONTINUE;
}
sfsistat on_header(SMFICTX* context, char*, char*) {
  if (Connection* connection = connection_of(context)) ++connection->headers;
  return reply_or_not(context, SMFIP_NR_HDR);
}
sfsistat on_eoh(SMFICTX* context) {
  return reply_or_not(context, SMFIP_NR_EOH);
}
sfsistat on_body(SMFICTX* context, unsigned char*, size_t) {
  return reply_or_not(context, SMFIP_NR_BODY);
}

sfsistat on_eom(SMFICTX* context) {
  const Connection* connection = connection_of(context);
  const bool leading_space = connection != nullptr && (connection->steps & SMFIP_HDR_LEADSPC);
  std::string value = std::string(leading_space ? " " : "") + "null.milter; none";
  smfi_insheader(context, 0, const_cast<char*>("Authentication-Results"), value.data());
  return SMFIS_ACCEPT;
}

sfsistat on_abort(SMFICTX*) {
  return SMFIS_CONTINUE;
}

sfsistat on_close(SMFICTX* context) {
  std::unique_ptr<Connection> owned(connection_of(context));
  smfi_setpriv(context, nullptr);
  return SMFIS_CONTINUE;
}

// As authmilter does on TCP (daemon/milter_socket.cpp): without TCP_NODELAY on the listener
// (accepted sockets inherit it), Nagle and delayed ACKs add ~40 ms per message, and the floor
// would be no floor. libmilter keeps its descriptor private: find the listening TCP socket.
void set_nodelay_on_listeners() {
  for (int fd = 0; fd < 1024; ++fd) {
    int listening = 0;
    socklen_t length = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 || !listening) continue;
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: null_milter unix:/path|inet:PORT@HOST [--backlog N]\n");
    return 64;
  }
  std::string connection = argv[1];
  g_unix_socket = connection.rfind("unix:", 0) == 0 || connection.rfind("local:", 0) == 0;
  int backlog = 128;  // authmilter's default listen_backlog
  if (argc == 4 && std::strcmp(argv[2], "--backlog") == 0) backlog = std::atoi(argv[3]);
  smfiDesc description{};
  description.xxfi_name = const_cast<char*>("null_milter");
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_flags = authmilter::daemon::kMilterActions;
  description.xxfi_connect = on_connect;
  description.xxfi_helo = on_helo;
  description.xxfi_envfrom = on_envfrom;
  description.xxfi_envrcpt = on_envrcpt;
  description.xxfi_header = on_header;
  description.xxfi_eoh = on_eoh;
  description.xxfi_body = on_body;
  description.xxfi_eom = on_eom;
  description.xxfi_abort = on_abort;
  description.xxfi_close = on_close;
  description.xxfi_negotiate = on_negotiate;
  if (smfi_register(description) != MI_SUCCESS || smfi_setconn(connection.data()) != MI_SUCCESS) {
    std::fprintf(stderr, "null_milter: cannot register on %s\n", connection.c_str());
    return 70;
  }
  smfi_setbacklog(backlog);
  smfi_settimeout(300);  // authmilter's default milter_timeout
  if (smfi_opensocket(true) != MI_SUCCESS) {
    std::fprintf(stderr, "null_milter: cannot open %s\n", connection.c_str());
    return 69;
  }
  if (!g_unix_socket) set_nodelay_on_listeners();
  // As authmilter's benchmark configuration (socket_mode 0666): the MTA runs as another user.
  if (g_unix_socket) chmod(connection.substr(connection.find(':') + 1).c_str(), 0666);
  return smfi_main() == MI_SUCCESS ? 0 : 70;
}
