// The HTTP bridges under supervision: the real router and server in front
// of a fake registry that kills the bridge asking it, as an exception or a
// failed allocation inside a bridge would.

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

namespace {

/// Answers a GET of any analysis with a small document, except for
/// `killme00`: then it kills the bridge that asks and answers late (to an
/// actor that is gone).
caf::behavior bridge_killing_registry(caf::event_based_actor* self) {
  return {
    [=](get_atom, const credential&, const std::string& id) -> caf::result<std::string> {
      if (id != "killme00")
        return std::string{R"({"id":")"} + id + "\"}";
      // Before the promise, which takes the sender out of the message.
      auto bridge = caf::actor_cast<caf::actor>(self->current_sender());
      auto rp = self->make_response_promise<std::string>();
      self->send_exit(bridge, caf::exit_reason::kill);
      self->delayed_send(self, std::chrono::milliseconds(50), rp);
      return rp;
    },
    [=](caf::typed_response_promise<std::string>& rp) { rp.deliver(std::string{"{}"}); },
  };
}

} // namespace

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(caf::typed_response_promise<std::string>)

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
    auto res = c.get("/admin/analyses/killme00", bearer("token"));
    EXPECT_EQ(res.status, 503) << res.body;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5))
      << "the answer waited for a timeout";
    // The slot's supervisor replaces the dead bridge: requests are served again.
    int status = 0;
    for (int attempt = 0; attempt < 50 && status != 200; ++attempt)
      status = c.get("/admin/analyses/abcd1234", bearer("token")).status;
    EXPECT_EQ(status, 200);
    auto again = c.get("/admin/analyses/abcd1234", bearer("token"));
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body, R"({"id":"abcd1234"})");
  }
  server->stop();
  for (auto& b : ctx->bridges)
    caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  ctx->bridges.clear();
  ctx->registry = nullptr;
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
}
