#include "actors/peer_link.hpp"

#include "actors/request_deadlines.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include <functional>
#include <set>
#include <unordered_map>
#include <vector>

namespace analysisd {

namespace {

// Called with no error to send a waiting request, or with why it fails.
using waiting_request = std::function<void(const caf::error&)>;

/// The link's interface: node_actor_v1, and its deadline timer.
using peer_link_actor = node_actor_v1::extend<caf::reacts_to<deadline_tick_atom>>;

struct peer_link_state {
  peer_link_options opts;
  node_actor_v1 remote; // null while not connected
  bool connecting = false;
  std::uint64_t next_id = 1;
  // The requests sent and not answered yet: how to fail each.
  std::unordered_map<std::uint64_t, std::function<void(const caf::error&)>> in_flight;
  std::vector<waiting_request> waiting; // for the connection
  request_deadlines deadlines;            // of the requests sent on
  static inline const char* name = "peer_link";
};

using peer_pointer = peer_link_actor::stateful_pointer<peer_link_state>;

// What the caller gets for an error: analysisd's own errors as the peer
// gave them; CAF's (a timeout, a receiver gone) say the peer is unavailable.
caf::error peer_error(peer_pointer self, const caf::error& err) {
  if (code_of(err) != 0)
    return err;
  if (err == caf::sec::request_timeout)
    return make_error(errc::unavailable, "timeout");
  return make_error(errc::unavailable, "peer: " + self->home_system().render(err));
}

// The contexts of the errors of requests that never left this node (see
// never_sent).
constexpr const char* unreachable_context = "unreachable: ";
constexpr const char* wrong_interface_context = "peer offers another interface";
constexpr const char* too_many_waiting_context = "too many requests wait for the peer";

void fail_all(peer_pointer self, const caf::error& err) {
  auto& s = self->state;
  auto in_flight = std::move(s.in_flight);
  auto waiting = std::move(s.waiting);
  s.in_flight.clear();
  s.waiting.clear();
  for (auto& [id, fail] : in_flight)
    fail(err);
  for (auto& w : waiting)
    w(err);
}

// `retried`: CAF 0.17's BASP broker leaves a new connection's last_seen unset
// until the peer's handshake arrives, so a heartbeat tick in between drops it
// with connection_timeout (seen on loaded machines); such a connect is tried
// once more at once.
void connect(peer_pointer self, bool retried = false) {
  auto& s = self->state;
  if (s.connecting && !retried)
    return;
  s.connecting = true;
  auto fail_waiting = [self](caf::error err) {
    auto waiting = std::move(self->state.waiting);
    self->state.waiting.clear();
    for (auto& w : waiting)
      w(err);
  };
  self
    ->request(self->home_system().middleman().actor_handle(), s.opts.connect_timeout,
              caf::connect_atom::value, s.opts.host, s.opts.port)
    .then(
      [=](caf::node_id&, caf::strong_actor_ptr& ptr, std::set<std::string>& ifs) {
        auto& s = self->state;
        s.connecting = false;
        if (!ptr || !self->home_system().assignable<node_actor_v1>(ifs)) {
          fail_waiting(make_error(errc::unavailable, wrong_interface_context));
          return;
        }
        s.remote = caf::actor_cast<node_actor_v1>(ptr);
        self->monitor(s.remote);
        auto waiting = std::move(s.waiting);
        s.waiting.clear();
        for (auto& w : waiting)
          w(caf::error{});
      },
      [=](caf::error& err) {
        if (err == caf::sec::connection_timeout && !retried) {
          connect(self, true);
          return;
        }
        self->state.connecting = false;
        fail_waiting(make_error(errc::unavailable,
                                    unreachable_context + self->home_system().render(err)));
      });
}

// Sends one request on to the peer (connecting first if needed).
template <class R, class... Ts>
caf::result<R> pass(peer_pointer self, Ts... xs) {
  auto rp = self->template make_response_promise<R>();
  auto send = [self, rp, xs...](const caf::error& failed) mutable {
    if (failed) {
      rp.deliver(failed);
      return;
    }
    auto& s = self->state;
    auto id = s.next_id++;
    s.in_flight.emplace(id, [rp](const caf::error& err) mutable { rp.deliver(err); });
    request_until<R>(
      self, s.deadlines, request_deadlines::clock::now() + s.opts.request_timeout, s.remote,
      [self, rp, id](R& x) mutable {
        if (self->state.in_flight.erase(id) > 0)
          rp.deliver(std::move(x));
      },
      [self, rp, id](caf::error& err) mutable {
        if (self->state.in_flight.erase(id) > 0)
          rp.deliver(peer_error(self, err));
      },
      xs...);
  };
  auto& s = self->state;
  if (s.remote) {
    send(caf::error{});
  } else if (s.waiting.size() >= s.opts.max_waiting) {
    rp.deliver(make_error(errc::unavailable, too_many_waiting_context));
  } else {
    s.waiting.emplace_back(std::move(send));
    connect(self);
  }
  return rp;
}

} // namespace

bool never_sent(const caf::error& err) {
  if (code_of(err) != static_cast<std::uint8_t>(errc::unavailable))
    return false;
  auto what = context_of(err);
  return what.rfind(unreachable_context, 0) == 0 || what == wrong_interface_context
         || what == too_many_waiting_context;
}

node_actor_v1 spawn_peer_link(caf::actor_system& sys, peer_link_options opts) {
  return sys.spawn([opts = std::move(opts)](peer_pointer self) -> peer_link_actor::behavior_type {
    self->state.opts = opts;
    self->set_down_handler([self](caf::down_msg& dm) {
      auto& s = self->state;
      if (!s.remote || dm.source != s.remote.address())
        return;
      s.remote = nullptr;
      auto in_flight = std::move(s.in_flight);
      s.in_flight.clear();
      for (auto& [id, fail] : in_flight)
        fail(make_error(errc::unavailable, "peer down"));
    });
    self->set_exit_handler([self](caf::exit_msg& msg) {
      fail_all(self, make_error(errc::unavailable, "stopping"));
      self->quit(msg.reason);
    });
    return {
      [=](deadline_tick_atom) { on_deadline_tick(self, self->state.deadlines); },
      [=](get_atom a, credential& c, std::string& id) {
        return pass<std::string>(self, a, std::move(c), std::move(id));
      },
      [=](authorize_atom a, credential& c, std::string& id) {
        return pass<bool>(self, a, std::move(c), std::move(id));
      },
      [=](reserve_atom a, credential& c, std::string& id, upload_request& req) {
        return pass<file_record>(self, a, std::move(c), std::move(id), std::move(req));
      },
      [=](commit_atom a, credential& c, std::string& id, file_record& f) {
        return pass<file_record>(self, a, std::move(c), std::move(id), std::move(f));
      },
      [=](abandon_atom a, credential& c, std::string& id, file_record& f) {
        return pass<bool>(self, a, std::move(c), std::move(id), std::move(f));
      },
      [=](download_atom a, credential& c, std::string& id, std::uint64_t file_id) {
        return pass<file_location>(self, a, std::move(c), std::move(id), file_id);
      },
      [=](finalize_atom a, credential& c, std::string& id, std::string& results) {
        return pass<std::string>(self, a, std::move(c), std::move(id), std::move(results));
      },
      [=](remove_atom a, credential& c, std::string& id) {
        return pass<bool>(self, a, std::move(c), std::move(id));
      },
      [=](create_atom a, create_request& req) {
        return pass<std::string>(self, a, std::move(req));
      },
      [=](acquire_atom a, std::string& job_id) {
        return pass<std::string>(self, a, std::move(job_id));
      },
    };
  });
}

} // namespace analysisd
