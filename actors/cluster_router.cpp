#include "actors/cluster_router.hpp"

#include "actors/analysis_logic.hpp"
#include "actors/file_io_actor.hpp"
#include "actors/node_protocol.hpp"
#include "actors/peer_link.hpp"
#include "actors/request_deadlines.hpp"
#include "metrics/metrics.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <unordered_map>

namespace analysisd {

namespace {
// Named, so that the unity build keeps these apart from other files' helpers.
namespace rt {

using retry_atom = caf::atom_constant<caf::atom("retry")>;

/// The router's interface: the registry's, its retry timer and its deadline
/// timer.
using router_actor = registry_actor::extend<caf::reacts_to<retry_atom, std::uint64_t>,
                                            caf::reacts_to<deadline_tick_atom>>;

struct router_state {
  cluster_router_options opts;
  std::unordered_map<std::string, node_requests> peers; ///< By incarnation.
  std::unordered_map<std::uint64_t, std::function<void()>> retries;
  std::uint64_t next_retry = 0;
  request_deadlines deadlines; ///< Of the requests dispatched.
  static inline const char* name = "cluster_router";
};

using router_pointer = router_actor::stateful_pointer<router_state>;

// Longer than any answer the local shard registry owes (its PostgreSQL calls
// are bounded): only a stuck actor hits it.
constexpr auto local_timeout = std::chrono::seconds(60);

// A reserve is a write whose answer must reach this node to be of use:
// the owner keeps the name reserved until the reservation is committed or
// abandoned, and only the holder of its file id can do either.
enum class request_kind { read, write, reserve };

void later(router_pointer self, std::function<void()> f) {
  auto& s = self->state;
  auto ticket = ++s.next_retry;
  s.retries.emplace(ticket, std::move(f));
  self->delayed_send(self, s.opts.retry_delay, retry_atom::value, ticket);
}

// The peer link to `m`'s node, made at first use; links to nodes that left
// the routes are ended on the way.
node_requests peer(router_pointer self, const member_info& m, const cluster_routes& routes) {
  auto& s = self->state;
  if (auto i = s.peers.find(m.incarnation); i != s.peers.end())
    return i->second;
  for (auto i = s.peers.begin(); i != s.peers.end();) {
    auto member = std::any_of(routes.members.begin(), routes.members.end(),
                              [&](const member_info& x) { return x.incarnation == i->first; });
    if (member) {
      ++i;
    } else {
      self->send_exit(i->second, caf::exit_reason::user_shutdown);
      i = s.peers.erase(i);
    }
  }
  peer_link_options o;
  auto colon = m.caf_address.rfind(':');
  o.host = m.caf_address.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']')
    o.host = o.host.substr(1, o.host.size() - 2);
  o.port = static_cast<std::uint16_t>(
    colon == std::string::npos ? 0 : std::strtoul(m.caf_address.c_str() + colon + 1, nullptr, 10));
  o.request_timeout = s.opts.peer_timeout;
  o.connect_timeout = s.opts.connect_timeout;
  o.leases = s.opts.leases;
  auto link = spawn_peer_link(self->system(), o);
  // Linked, so that it ends with the router: the middleman keeps every
  // actor it sent to a peer (the link sends as itself) alive for good, and
  // only an exit makes it quit.
  self->link_to(link);
  s.peers.emplace(m.incarnation, link);
  return link;
}

// Where a request for analysis `id` goes now: this node's shard registry or
// the peer that owns its shard (`incarnation`); nullopt while nobody is
// known to own it.
struct target {
  node_requests actor;
  bool local = true;
  std::string incarnation;
};

std::optional<target> target_for(router_pointer self, const std::string& id) {
  auto& s = self->state;
  auto shard = shard_of(id, s.opts.cluster->shards());
  if (s.opts.cluster->serving(shard))
    return target{node_requests{s.opts.local}, true, s.opts.cluster->incarnation()};
  auto routes = s.opts.cluster->routes();
  if (!routes || shard >= routes->owner.size() || routes->owner[shard] < 0)
    return std::nullopt;
  auto& m = routes->members[static_cast<std::size_t>(routes->owner[shard])];
  if (m.incarnation == s.opts.cluster->incarnation()) // about to take it: not owner until then
    return target{node_requests{s.opts.local}, true, m.incarnation};
  return target{peer(self, m, *routes), false, m.incarnation};
}

// An owner that could not be reached, and the routes current when it
// failed: a request for it waits for a view published since then.
struct unreachable_owner {
  std::string incarnation;
  std::shared_ptr<const cluster_routes> routes;

  bool still_current(const target& to, const cluster_view& view) const {
    return !incarnation.empty() && to.incarnation == incarnation && view.routes() == routes;
  }
};

// How long a routed request may take: it is sent again (after "not owner",
// while nobody owns its shard, or after its owner could not be reached)
// until `retry_until`, and an attempt sent to a peer is bounded by
// `answer_by`, so that the client has an answer by then whatever the peer
// does (a write then gets 503, its outcome unknown here). This node's shard
// registry answers within its own bounds (PostgreSQL's call timeouts): a
// reservation it made must not be cut off from the upload that asked for
// it.
struct deadlines {
  std::chrono::steady_clock::time_point retry_until;
  std::chrono::steady_clock::time_point answer_by;
};

deadlines deadlines_from_now(const cluster_router_options& o) {
  auto now = std::chrono::steady_clock::now();
  return {now + o.retry_window, now + std::max(o.retry_window, o.answer_within)};
}

// Sends a request for analysis `id` to its owner and answers `rp` with the
// outcome, retrying as the header says.
template <class R, class... Ts>
void dispatch(router_pointer self, caf::typed_response_promise<R> rp, const std::string& id,
              request_kind kind, deadlines by, bool retried, const unreachable_owner& failed,
              Ts... xs) {
  // Goes again after retry_delay (a request that failed is counted once;
  // one that waits for an owner or a new view is not counted again).
  auto again = [=](bool retried_now, const unreachable_owner& failed_now, bool failed_here) {
    if (failed_here)
      metrics().cluster_retried.fetch_add(1, std::memory_order_relaxed);
    later(self, [=] { dispatch<R>(self, rp, id, kind, by, retried_now, failed_now, xs...); });
  };
  auto now = std::chrono::steady_clock::now();
  auto to = target_for(self, id);
  if (!to || failed.still_current(*to, *self->state.opts.cluster)) {
    if (now < by.retry_until)
      again(retried, failed, false);
    else
      rp.deliver(make_error(errc::unavailable, to ? "owner unreachable" : "no owner"));
    return;
  }
  // A reserve goes to a peer only with `reserve_lead` to spare: the owner
  // abandons a reservation it could not answer quickly (node_facade.hpp),
  // so one it did answer reaches this node in time to be committed or
  // abandoned here, not after this node gave up on it.
  auto lead = kind == request_kind::reserve ? self->state.opts.reserve_lead
                                            : std::chrono::milliseconds{0};
  if (!to->local && now + lead >= by.answer_by) {
    rp.deliver(make_error(errc::unavailable, "no answer in time"));
    return;
  }
  auto on_ok = [rp](R& x) mutable { rp.deliver(std::move(x)); };
  auto on_err = [=, local = to->local, owner = to->incarnation](caf::error& err) mutable {
    auto now = std::chrono::steady_clock::now();
    if (is_not_owner(err) && now < by.retry_until) {
      again(retried, unreachable_owner{}, true);
      return;
    }
    auto unreachable = unreachable_owner{owner, self->state.opts.cluster->routes()};
    // It did nothing: safe to send again, even a write, if a connection
    // attempt still fits before the deadline.
    if (!local && never_sent(err) && now + self->state.opts.connect_timeout < by.retry_until) {
      again(retried, unreachable, true);
      return;
    }
    auto peer_failed = !local
                       && (code_of(err) == static_cast<std::uint8_t>(errc::unavailable)
                           || err == caf::sec::request_receiver_down
                           || err == caf::sec::request_timeout);
    // A read goes once more, with the next view, after a quick failure (the
    // peer went down: that view may name another owner), not after one that
    // took the whole peer timeout.
    auto timed_out = err == caf::sec::request_timeout || context_of(err) == "timeout";
    if (peer_failed && !timed_out && kind == request_kind::read && !retried) {
      again(true, unreachable, true);
      return;
    }
    if (err == caf::sec::request_timeout)
      err = make_error(errc::unavailable, "no answer in time");
    else if (err == caf::sec::request_receiver_down)
      err = make_error(errc::unavailable, "owner unreachable");
    rp.deliver(std::move(err));
  };
  auto& book = self->state.deadlines;
  if (to->local) {
    request_until<R>(self, book, now + local_timeout, to->actor, on_ok, on_err, xs...);
    return;
  }
  // The peer link bounds a request by the peer timeout too: whichever ends first.
  metrics().cluster_forwarded.fetch_add(1, std::memory_order_relaxed);
  request_until<R>(self, book, by.answer_by, to->actor, on_ok, on_err, xs...);
}

template <class R, class... Ts>
caf::result<R> route(router_pointer self, const std::string& id, request_kind kind, Ts... xs) {
  auto rp = self->make_response_promise<R>();
  dispatch<R>(self, rp, id, kind, deadlines_from_now(self->state.opts), false,
              unreachable_owner{}, std::move(xs)...);
  return rp;
}

} // namespace rt
} // namespace

registry_actor spawn_cluster_router(caf::actor_system& sys, cluster_router_options opts) {
  using namespace rt;
  auto impl = [](router_pointer self, cluster_router_options opts) -> router_actor::behavior_type {
    self->state.opts = std::move(opts);
    return {
      [=](deadline_tick_atom) { on_deadline_tick(self, self->state.deadlines); },
      [=](retry_atom, std::uint64_t ticket) {
        auto node = self->state.retries.extract(ticket);
        if (!node.empty())
          node.mapped()();
      },
      [=](create_atom, create_request& req) -> caf::result<std::string> {
        if (auto err = check_create(req))
          return err;
        if (req.id.empty())
          req.id = random_id();
        auto id = req.id;
        return route<std::string>(self, id, request_kind::write, create_atom::value,
                                  std::move(req));
      },
      [=](acquire_atom, const std::string& job_id) -> caf::result<std::string> {
        auto rp = self->make_response_promise<std::string>();
        self->request(self->state.opts.readers, local_timeout, job_atom::value, job_id)
          .then(
            [=](job_info& job) mutable {
              if (job.acquired) {
                rp.deliver(make_error(errc::job_already_acquired));
                return;
              }
              dispatch<std::string>(self, rp, job.analysis_id, request_kind::write,
                                    deadlines_from_now(self->state.opts), false,
                                    unreachable_owner{}, acquire_atom::value, job_id);
            },
            [=](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [=](list_atom, const list_request& req) -> caf::result<std::string> {
        if (auto err = check_list(req))
          return err;
        auto rp = self->make_response_promise<std::string>();
        self->request(self->state.opts.readers, local_timeout, list_atom::value, req)
          .then(
            [=](analysis_page& page) mutable {
              rp.deliver(render_listing(page.summaries, page.total, req));
            },
                [=](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [=](get_atom a, const credential& c, const std::string& id) -> caf::result<std::string> {
        return route<std::string>(self, id, request_kind::read, a, c, id);
      },
      [=](authorize_atom a, const credential& c, const std::string& id) -> caf::result<bool> {
        return route<bool>(self, id, request_kind::read, a, c, id);
      },
      [=](download_atom a, const credential& c, const std::string& id,
          std::uint64_t file_id) -> caf::result<file_location> {
        return route<file_location>(self, id, request_kind::read, a, c, id, file_id);
      },
      [=](reserve_atom a, const credential& c, const std::string& id,
          upload_request& req) -> caf::result<file_record> {
        req.bytes = file_payload{};
        return route<file_record>(self, id, request_kind::reserve, a, c, id, std::move(req));
      },
      [=](commit_atom a, const credential& c, const std::string& id,
          const file_record& f) -> caf::result<file_record> {
        return route<file_record>(self, id, request_kind::write, a, c, id, f);
      },
      [=](abandon_atom a, const credential& c, const std::string& id,
          const file_record& f) -> caf::result<bool> {
        return route<bool>(self, id, request_kind::write, a, c, id, f);
      },
      [=](finalize_atom a, const credential& c, const std::string& id,
          const std::string& results) -> caf::result<std::string> {
        return route<std::string>(self, id, request_kind::write, a, c, id, results);
      },
      [=](remove_atom a, const credential& c, const std::string& id) -> caf::result<bool> {
        return route<bool>(self, id, request_kind::write, a, c, id);
      },
      // An upload in one message: reserved with the owner, written here into
      // the shared file store, committed with the owner.
      [=](upload_atom, const credential& c, const std::string& id,
          upload_request& req) -> caf::result<file_record> {
        auto rp = self->make_response_promise<file_record>();
        auto bytes = req.bytes;
        req.bytes = file_payload{};
        self->request(caf::actor_cast<registry_actor>(self), local_timeout, reserve_atom::value,
                      c, id, std::move(req))
          .then(
            [=](file_record& file) mutable {
              auto worker = self->spawn<caf::detached>(file_io_worker, self->state.opts.files);
              self->request(worker, caf::infinite, write_atom::value, id, file, bytes)
                .then(
                  [=](bool) mutable {
                    self->request(caf::actor_cast<registry_actor>(self), local_timeout,
                                  commit_atom::value, c, id, file)
                      .then([=](file_record& f) mutable { rp.deliver(std::move(f)); },
                            [=](caf::error& err) mutable { rp.deliver(err); });
                  },
                  [=](caf::error& err) mutable {
                    self->request(caf::actor_cast<registry_actor>(self), local_timeout,
                                  abandon_atom::value, c, id, file)
                      .then([](bool) {}, [](caf::error&) {});
                    rp.deliver(err);
                  });
            },
            [=](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [=](stats_atom) -> caf::result<std::uint64_t, std::uint64_t> {
        auto rp = self->make_response_promise<std::uint64_t, std::uint64_t>();
        self->request(self->state.opts.local, local_timeout, stats_atom::value)
          .then([=](std::uint64_t live, std::uint64_t dormant) mutable { rp.deliver(live, dormant); },
                [=](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      // The single-node registry's idle timer: the shard registry has its own.
      [=](sweep_atom) {},
    };
  };
  return sys.spawn(impl, std::move(opts));
}

} // namespace analysisd
