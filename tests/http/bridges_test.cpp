// The HTTP bridges under supervision: the real router and server in front
// of a fake registry that kills the bridge asking it, as an exception or a
// failed allocation inside a bridge would. GET /metrics asks through a
// bridge (registry requests of the routes go through http/caller.hpp).

#include "http/handlers.hpp"
#include "http/server.hpp"

#include "actors/protocol.hpp"
#include "tests/actors/helpers.hpp"
#include "tests/support/http_client.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <chrono>

using namespace analysisd;
using namespace analysisd::test;

using counts_promise = caf::typed_response_promise<std::uint64_t, std::uint64_t>;

namespace {

/// Answers the registry's counts, except the first time: then it kills the
/// bridge that asks and answers late (to an actor that is gone).
caf::behavior bridge_killing_registry(caf::event_based_actor* self) {
  auto asked = std::make_shared<int>(0);
  return {
    [=](stats_atom) -> caf::result<std::uint64_t, std::uint64_t> {
      if ((*asked)++ > 0)
        return {std::uint64_t{3}, std::uint64_t{4}};
      // Before the promise, which takes the sender out of the message.
      auto bridge = caf::actor_cast<caf::actor>(self->current_sender());
      auto rp = self->make_response_promise<std::uint64_t, std::uint64_t>();
      self->send_exit(bridge, caf::exit_reason::kill);
      self->delayed_send(self, std::chrono::milliseconds(50), rp);
      return rp;
    },
    [=](counts_promise& rp) {
      rp.deliver(std::uint64_t{0}, std::uint64_t{0});
    },
  };
}

} // namespace

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(counts_promise)

TEST(bridges, a_request_whose_bridge_died_is_answered_503_at_once_and_the_bridge_is_replaced) {
  caf::actor_system sys{test_config()};
  auto ctx = std::make_shared<http_context>(sys);
  ctx->admin_token_hash = sha256("token");
  spawn_bridges(*ctx, 1);
  auto registry = sys.spawn(bridge_killing_registry);
  ctx->registry = caf::actor_cast<registry_actor>(registry);
  ctx->ready.store(true);
  http_options opts;
  opts.port = free_port();
  opts.threads = 1;
  auto server = start_http(ctx, opts);
  {
    http_client c{opts.port};
    auto started = std::chrono::steady_clock::now();
    auto res = c.get("/metrics", bearer("token"));
    EXPECT_EQ(res.status, 503) << res.body;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5))
      << "the answer waited for a timeout";
    // The slot's supervisor replaces the dead bridge: requests are served again.
    int status = 0;
    for (int attempt = 0; attempt < 50 && status != 200; ++attempt)
      status = c.get("/metrics", bearer("token")).status;
    EXPECT_EQ(status, 200);
    auto again = c.get("/metrics", bearer("token"));
    EXPECT_EQ(again.status, 200);
    EXPECT_NE(again.body.find("analysisd_analyses 7"), std::string::npos) << again.body;
  }
  server->stop();
  for (auto& b : ctx->bridges)
    caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  ctx->bridges.clear();
  ctx->registry = nullptr;
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
}
