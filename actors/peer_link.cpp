#include "actors/peer_link.hpp"

#include "actors/request_deadlines.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include <deque>
#include <functional>
#include <set>
#include <unordered_map>
#include <vector>

namespace analysisd {

namespace {

// Called with no error to send a waiting request, or with why it fails.
using waiting_request = std::function<void(const caf::error&)>;

/// The link's interface: the node requests, the holder's side of read
/// leases (its peer revokes them here), its deadline timer and the sweep of
/// the replicas it installed.
using peer_link_actor
  = node_requests::extend_with<lease_holder_v2>::extend<caf::reacts_to<deadline_tick_atom>,
                                                          caf::reacts_to<sweep_atom>>;

// The gets asking for a read lease on one analysis and not answered yet,
// by number, each tainted when a revocation arrived after it was sent: its
// answer may predate the revocation's change, and installs nothing. (Those
// sent after it read the change.)
using leasing = std::unordered_map<std::uint64_t, bool>;

struct peer_link_state {
  peer_link_options opts;
  node_actor_v2 remote; // null while not connected
  bool connecting = false;
  std::uint64_t next_id = 1;
  // The requests sent and not answered yet: how to fail each.
  std::unordered_map<std::uint64_t, std::function<void(const caf::error&)>> in_flight;
  std::vector<waiting_request> waiting; // for the connection
  request_deadlines deadlines;            // of the requests sent on
  std::unordered_map<std::string, leasing> leasing_now;
  std::uint64_t next_lease_request = 0;
  // The replicas installed, and until when, in order of installation.
  std::deque<std::pair<std::string, lease_clock::time_point>> installed;
  bool sweeping = false;
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
        if (!ptr || !self->home_system().assignable<node_actor_v2>(ifs)) {
          fail_waiting(make_error(errc::unavailable, wrong_interface_context));
          return;
        }
        s.remote = caf::actor_cast<node_actor_v2>(ptr);
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

// Sends one request on to the peer (connecting first if needed); exactly
// one of `ok` and `fail` runs.
template <class R, class... Ts>
void send_on(peer_pointer self, std::function<void(R&)> ok,
             std::function<void(const caf::error&)> fail, Ts... xs) {
  auto send = [self, ok, fail, xs...](const caf::error& failed) mutable {
    if (failed) {
      fail(failed);
      return;
    }
    auto& s = self->state;
    auto id = s.next_id++;
    s.in_flight.emplace(id, fail);
    request_until<R>(
      self, s.deadlines, request_deadlines::clock::now() + s.opts.request_timeout, s.remote,
      [self, ok, id](R& x) mutable {
        if (self->state.in_flight.erase(id) > 0)
          ok(x);
      },
      [self, fail, id](caf::error& err) mutable {
        if (self->state.in_flight.erase(id) > 0)
          fail(peer_error(self, err));
      },
      xs...);
  };
  auto& s = self->state;
  if (s.remote) {
    send(caf::error{});
  } else if (s.waiting.size() >= s.opts.max_waiting) {
    fail(make_error(errc::unavailable, too_many_waiting_context));
  } else {
    s.waiting.emplace_back(std::move(send));
    connect(self);
  }
}

// Sends one request on and answers the sender with the outcome.
template <class R, class... Ts>
caf::result<R> pass(peer_pointer self, Ts... xs) {
  auto rp = self->template make_response_promise<R>();
  send_on<R>(
    self, [rp](R& x) mutable { rp.deliver(std::move(x)); },
    [rp](const caf::error& err) mutable { rp.deliver(err); }, xs...);
  return rp;
}

constexpr auto sweep_every = std::chrono::milliseconds(500);

// Withdraws the replicas this link installed whose lease is over (unless
// one was installed again since: its entry then has a later end).
void sweep_replicas(peer_pointer self) {
  auto& s = self->state;
  auto now = lease_clock::now();
  while (!s.installed.empty() && s.installed.front().second <= now) {
    auto id = std::move(s.installed.front().first);
    s.installed.pop_front();
    bool over = false;
    {
      epoch_domain::guard g{epoch_domain::instance()};
      auto* r = g.active() ? s.opts.leases->replicas.find(g, id) : nullptr;
      over = r != nullptr && r->until <= now;
    }
    if (over)
      s.opts.leases->replicas.withdraw(id);
  }
  s.sweeping = !s.installed.empty();
  if (s.sweeping)
    self->delayed_send(self, sweep_every, sweep_atom::value);
}

// Forgets lease request `n` on `id`; whether a revocation tainted it.
bool lease_request_done(peer_pointer self, const std::string& id, std::uint64_t n) {
  auto& s = self->state;
  auto i = s.leasing_now.find(id);
  if (i == s.leasing_now.end())
    return true;
  auto j = i->second.find(n);
  bool tainted = j == i->second.end() || j->second;
  if (j != i->second.end())
    i->second.erase(j);
  if (i->second.empty())
    s.leasing_now.erase(i);
  return tainted;
}

// The owner answered lease request `n`, sent at `sent`: keeps the document
// as a replica for the job that asked, unless a revocation came meanwhile.
void install_replica(peer_pointer self, const std::string& id, std::uint64_t n,
                     const credential& c, const lease_grant_reply& reply,
                     lease_clock::time_point sent) {
  auto& s = self->state;
  bool tainted = lease_request_done(self, id, n);
  auto until = sent + std::chrono::milliseconds(reply.lease_ms);
  if (tainted || reply.lease_ms == 0 || until <= lease_clock::now()
      || s.opts.leases->replicas.size() >= s.opts.leases->max_replicas)
    return;
  replica r;
  r.view = make_analysis_view(reply.document, c.job_id);
  r.key_hash = c.key_hash;
  r.until = until;
  s.opts.leases->replicas.publish(id, std::move(r));
  s.installed.emplace_back(id, until);
  if (!s.sweeping) {
    s.sweeping = true;
    self->delayed_send(self, sweep_every, sweep_atom::value);
  }
}

// A get: with a request for a read lease when this node keeps replicas and
// a job asks (replicas answer only jobs).
caf::result<std::string> get(peer_pointer self, credential& c, std::string& id) {
  auto& s = self->state;
  if (!s.opts.leases || s.opts.leases->lease.count() == 0 || c.admin || c.key_hash.size() != 32)
    return pass<std::string>(self, get_atom::value, std::move(c), std::move(id));
  auto rp = self->make_response_promise<std::string>();
  auto sent = lease_clock::now(); // no later than it leaves: the lease counts from here
  auto n = ++s.next_lease_request;
  s.leasing_now[id].emplace(n, false);
  send_on<lease_grant_reply>(
    self,
    [self, rp, id, n, c, sent](lease_grant_reply& reply) mutable {
      install_replica(self, id, n, c, reply, sent);
      rp.deliver(std::move(reply.document));
    },
    [self, rp, id, n](const caf::error& err) mutable {
      lease_request_done(self, id, n);
      rp.deliver(err);
    },
    get_atom::value, lease_atom::value, c, id);
  return rp;
}

// The owner revokes: the replicas go, and answers on their way install none.
bool invalidate(peer_pointer self, const std::vector<std::string>& ids) {
  auto& s = self->state;
  for (auto& id : ids) {
    if (s.opts.leases)
      s.opts.leases->replicas.withdraw(id);
    if (auto i = s.leasing_now.find(id); i != s.leasing_now.end())
      for (auto& [n, tainted] : i->second)
        tainted = true;
  }
  return true;
}

} // namespace

bool never_sent(const caf::error& err) {
  if (code_of(err) != static_cast<std::uint8_t>(errc::unavailable))
    return false;
  auto what = context_of(err);
  return what.rfind(unreachable_context, 0) == 0 || what == wrong_interface_context
         || what == too_many_waiting_context;
}

node_requests spawn_peer_link(caf::actor_system& sys, peer_link_options opts) {
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
      auto& s = self->state;
      if (s.opts.leases)
        for (auto& [id, until] : s.installed)
          s.opts.leases->replicas.withdraw(id);
      fail_all(self, make_error(errc::unavailable, "stopping"));
      self->quit(msg.reason);
    });
    return {
      [=](deadline_tick_atom) { on_deadline_tick(self, self->state.deadlines); },
      [=](sweep_atom) { sweep_replicas(self); },
      [=](invalidate_atom, const std::vector<std::string>& ids) { return invalidate(self, ids); },
      [=](get_atom, credential& c, std::string& id) { return get(self, c, id); },
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
