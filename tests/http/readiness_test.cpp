// The service routes of SPEC.md on the real HTTP layer: /readyz (and its
// alias /healthz) says why the node takes no work; /livez says only that the
// process answers.

#include "http/server.hpp"

#include "tests/actors/helpers.hpp"
#include "tests/support/http_client.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

using namespace analysisd;
using namespace analysisd::test;

TEST(readiness, readyz_says_starting_ok_read_only_and_stopping_and_livez_stays_ok) {
  caf::actor_system sys{test_config()};
  auto ctx = std::make_shared<http_context>(sys);
  spawn_bridges(*ctx, 1);
  http_options opts;
  opts.port = free_port();
  opts.threads = 1;
  auto server = start_http(ctx, opts);
  {
    http_client c{opts.port};
    auto expect = [&](int status, const char* what) {
      for (const char* path : {"/readyz", "/healthz"}) {
        auto res = c.get(path);
        EXPECT_EQ(res.status, status) << path << " " << what;
        EXPECT_EQ(res.json(), (nlohmann::json{{"status", what}})) << path;
      }
      auto live = c.get("/livez");
      EXPECT_EQ(live.status, 200) << what;
      EXPECT_EQ(live.json(), (nlohmann::json{{"status", "ok"}}));
    };
    // A request for work is refused with 503, worth retrying after a second.
    auto refused = [&](const char* what) {
      auto res = c.get("/api/analyses/abcd1234");
      EXPECT_EQ(res.status, 503) << what;
      EXPECT_EQ(res.header("retry-after"), "1") << what;
    };
    expect(503, "starting"); // recovery has not finished
    refused("starting");
    ctx->ready.store(true);
    expect(200, "ok");
    ctx->read_only->store(true); // an fsync of the journal failed
    expect(503, "read_only");
    ctx->draining.store(true); // SIGTERM: draining wins over everything else
    expect(503, "stopping");
    refused("stopping");
  }
  server->stop();
  for (auto& b : ctx->bridges)
    caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  ctx->bridges.clear();
}
