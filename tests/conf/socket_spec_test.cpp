#include "conf/socket_spec.h"

#include <gtest/gtest.h>

namespace authmilter::conf {
namespace {

struct GoodSocket {
  const char* text;
  SocketSpec::Kind kind;
  const char* libmilter;
};

TEST(SocketSpec, AcceptsTheUsualForms) {
  const GoodSocket cases[] = {
      {"unix:/run/authmilter/authmilter.sock", SocketSpec::Kind::unix_path,
       "unix:/run/authmilter/authmilter.sock"},
      {"local:/var/spool/postfix/authmilter", SocketSpec::Kind::unix_path,
       "unix:/var/spool/postfix/authmilter"},
      {"/tmp/milter.sock", SocketSpec::Kind::unix_path, "unix:/tmp/milter.sock"},
      {"inet:8891@127.0.0.1", SocketSpec::Kind::inet, "inet:8891@127.0.0.1"},
      {"inet:8891", SocketSpec::Kind::inet, "inet:8891"},
      {"inet:8891@localhost", SocketSpec::Kind::inet, "inet:8891@localhost"},
      {"inet6:8891@::1", SocketSpec::Kind::inet6, "inet6:8891@::1"},
  };
  for (const auto& good : cases) {
    SCOPED_TRACE(good.text);
    auto spec = SocketSpec::parse(good.text);
    ASSERT_TRUE(spec.ok()) << spec.error();
    EXPECT_EQ(spec->kind, good.kind);
    EXPECT_EQ(spec->to_libmilter(), good.libmilter);
  }
}

TEST(SocketSpec, RejectsMalformedFormsWithAReason) {
  for (const char* bad : {"inet:0@127.0.0.1", "inet:65536@127.0.0.1", "inet:@127.0.0.1",
                          "inet:80x@127.0.0.1", "inet:8891@", "inet6:8891@127.0.0.1",
                          "unix:relative/path", "tcp:8891@127.0.0.1", "", "inet:-1"}) {
    SCOPED_TRACE(bad);
    const auto spec = SocketSpec::parse(bad);
    ASSERT_FALSE(spec.ok());
    EXPECT_FALSE(spec.error().empty());
  }
  EXPECT_FALSE(SocketSpec::parse("unix:/" + std::string(200, 'a')).ok());
}

}  // namespace
}  // namespace authmilter::conf
