#include "actors/cluster_actor.hpp"

#include "metrics/metrics.hpp"

#include "persistence/log.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace analysisd {

// -- decisions ----------------------------------------------------------------------

cluster_round_plan plan_cluster_round(std::uint32_t shards, const std::vector<std::string>& incarnations,
                                      const std::string& self,
                                      const std::map<std::uint32_t, std::int64_t>& held,
                                      const std::set<std::uint32_t>& busy, bool stable,
                                      std::uint32_t max_handoffs) {
  cluster_round_plan plan;
  if (incarnations.empty())
    return plan;
  for (std::uint32_t shard = 0; shard < shards; ++shard) {
    if (busy.count(shard) > 0)
      continue;
    auto owner = rendezvous_owner(shard, incarnations);
    bool mine = incarnations[static_cast<std::size_t>(owner)] == self;
    bool holding = held.count(shard) > 0;
    if (mine && !holding)
      plan.acquire.push_back(shard);
    else if (!mine && holding && stable && plan.hand_off.size() < max_handoffs)
      plan.hand_off.push_back(shard);
  }
  return plan;
}

cluster_routes make_cluster_routes(std::uint32_t shards, std::vector<member_info> members,
                                   const std::vector<lease_holder>& leases) {
  cluster_routes routes;
  routes.members = std::move(members);
  std::sort(routes.members.begin(), routes.members.end(),
            [](const member_info& a, const member_info& b) { return a.incarnation < b.incarnation; });
  std::vector<std::string> incarnations;
  std::map<std::string, std::int32_t> index;
  for (auto& m : routes.members) {
    index.emplace(m.incarnation, static_cast<std::int32_t>(incarnations.size()));
    incarnations.push_back(m.incarnation);
  }
  routes.owner.resize(shards);
  for (std::uint32_t shard = 0; shard < shards; ++shard)
    routes.owner[shard] = rendezvous_owner(shard, incarnations);
  for (auto& l : leases) {
    if (l.shard >= shards || !l.live)
      continue;
    if (auto i = index.find(l.owner); i != index.end())
      routes.owner[l.shard] = i->second;
  }
  return routes;
}

// -- the actor ----------------------------------------------------------------------

namespace {

using cluster_round_atom = caf::atom_constant<caf::atom("clround")>;
using cluster_leave_deadline_atom = caf::atom_constant<caf::atom("clleavedl")>;

struct cluster_actor_state {
  cluster_options opts;
  std::shared_ptr<cluster_view> view;
  shard_host_actor host;
  std::unique_ptr<cluster_store> store;
  member_info self_info;
  bool schema_ready = false;
  /// The leases PostgreSQL granted this node (shard -> epoch), as of the last
  /// successful renewal or acquire.
  std::map<std::uint32_t, std::int64_t> held;
  /// Held shards dropped from the view whose host has not answered yet; the
  /// lease is released after the answer.
  std::set<std::uint32_t> handing_off;
  /// Handed-off shards whose release failed (shard -> epoch): never served
  /// or taken again until a later round releases them.
  std::map<std::uint32_t, std::int64_t> to_release;
  /// The live members as of the last successful heartbeat, and since when
  /// that list is unchanged.
  std::vector<member_info> members;
  std::chrono::steady_clock::time_point members_since{};
  /// Whether PostgreSQL answered last time (to log once per change).
  bool pg_ok = true;
  bool leaving = false;
  bool left = false;
  std::vector<caf::typed_response_promise<bool>> leave_promises;
  static inline const char* name = "cluster";
};

using cluster_pointer = caf::stateful_actor<cluster_actor_state>*;

void cluster_pg_failed(cluster_actor_state& st, const char* what, const caf::error& err) {
  if (!st.pg_ok)
    return;
  st.pg_ok = false;
  log_error("cluster: " + std::string(what) + " failed, this node serves its shards only until"
            " their leases lapse: " + context_of(err));
}

void cluster_pg_answered(cluster_actor_state& st) {
  if (st.pg_ok)
    return;
  st.pg_ok = true;
  log_info("cluster: PostgreSQL answers again");
}

bool cluster_is_unavailable(const caf::error& err) {
  return code_of(err) == static_cast<std::uint8_t>(errc::unavailable);
}

// The lease of `shard` is gone: its host retires what runs of it (fire and
// forget; the journal's fence stops any late write).
void cluster_notify_lost(cluster_pointer self, std::uint32_t shard) {
  auto& st = self->state;
  if (!st.host)
    return;
  self->request(st.host, st.opts.handoff_timeout, handoff_atom::value, shard)
    .then([](bool) {}, [shard](caf::error& err) {
      log_warning("cluster: the host did not confirm retiring lost shard " + std::to_string(shard)
                  + ": " + context_of(err));
    });
}

void cluster_finish_leave(cluster_pointer self) {
  auto& st = self->state;
  if (st.left)
    return;
  st.left = true;
  bool ok = true;
  auto released = st.store->release_all(st.opts.incarnation);
  if (!released) {
    ok = false;
    log_warning("cluster: leaving without releasing the leases (they expire by themselves): "
                + context_of(released.error()));
  }
  if (released || !cluster_is_unavailable(released.error())) {
    if (auto err = st.store->leave(st.opts.incarnation)) {
      ok = false;
      log_warning("cluster: leaving without deleting the member row (it expires by itself): "
                  + context_of(err));
    }
  } else {
    ok = false;
  }
  st.view->member_until({});
  st.held.clear();
  st.handing_off.clear();
  st.to_release.clear();
  log_info("cluster: left the cluster");
  for (auto& rp : st.leave_promises)
    rp.deliver(ok);
  st.leave_promises.clear();
  self->quit();
}

// The host answered (or timed out) for a shard being handed off: release its
// lease, unless it was lost meanwhile or the node is leaving (which
// releases everything at once).
void cluster_handoff_done(cluster_pointer self, std::uint32_t shard) {
  auto& st = self->state;
  if (st.handing_off.erase(shard) == 0)
    return;
  if (st.leaving) {
    if (st.handing_off.empty())
      cluster_finish_leave(self);
    return;
  }
  auto i = st.held.find(shard);
  if (i == st.held.end())
    return; // lost meanwhile: nothing to release
  auto epoch = i->second;
  st.held.erase(i);
  auto released = st.store->release(shard, st.opts.incarnation, epoch);
  if (!released) {
    // Maybe still ours in PostgreSQL: released by a later round.
    st.to_release[shard] = epoch;
    cluster_pg_failed(st, "releasing a shard", released.error());
    return;
  }
  cluster_pg_answered(st);
}

// Retries the releases that failed; stops at the first error.
void cluster_retry_releases(cluster_actor_state& st) {
  for (auto i = st.to_release.begin(); i != st.to_release.end();) {
    auto released = st.store->release(i->first, st.opts.incarnation, i->second);
    if (!released) {
      cluster_pg_failed(st, "releasing a shard", released.error());
      return;
    }
    i = st.to_release.erase(i);
  }
}

void cluster_hand_off(cluster_pointer self, std::uint32_t shard, std::chrono::milliseconds timeout) {
  auto& st = self->state;
  st.view->drop(shard);
  st.handing_off.insert(shard);
  if (!st.host) {
    cluster_handoff_done(self, shard);
    return;
  }
  self->request(st.host, timeout, handoff_atom::value, shard)
    .then([self, shard](bool) { cluster_handoff_done(self, shard); },
          [self, shard](caf::error& err) {
            log_warning("cluster: handing off shard " + std::to_string(shard)
                        + " without the host's answer: " + context_of(err));
            cluster_handoff_done(self, shard);
          });
}

// Applies the renewal's answer: what PostgreSQL renewed is held (and served
// unless it is being handed off); what it did not is lost.
void cluster_apply_renewal(cluster_pointer self, const std::vector<shard_lease>& renewed) {
  auto& st = self->state;
  std::map<std::uint32_t, std::int64_t> now_held;
  for (auto& l : renewed) {
    if (l.shard >= st.opts.shards || st.to_release.count(l.shard) > 0)
      continue;
    now_held[l.shard] = l.epoch;
    auto before = st.held.find(l.shard);
    if (before != st.held.end() && before->second != l.epoch) {
      // Lost and taken again between two rounds: what ran under the old
      // epoch retires first; served from the next round on.
      st.view->drop(l.shard);
      cluster_notify_lost(self, l.shard);
      continue;
    }
    if (st.handing_off.count(l.shard) == 0)
      st.view->hold(l.shard, l.epoch, l.requested_at + st.opts.lease_ttl);
  }
  std::string lost;
  for (auto& [shard, epoch] : st.held) {
    if (now_held.count(shard) > 0)
      continue;
    st.view->drop(shard);
    lost += (lost.empty() ? "" : ",") + std::to_string(shard) + "@" + std::to_string(epoch);
    if (st.handing_off.count(shard) == 0)
      cluster_notify_lost(self, shard);
  }
  if (!lost.empty())
    log_entry{log_level::warning, "cluster: leases lost"}
      .field("incarnation", st.opts.incarnation)
      .field("shards", lost)
      .write();
  st.held = std::move(now_held);
}

void cluster_round(cluster_pointer self) {
  auto& st = self->state;
  auto& store = *st.store;
  const auto& inc = st.opts.incarnation;
  if (!st.schema_ready) {
    if (auto err = store.ensure_schema()) {
      cluster_pg_failed(st, "creating the schema", err);
      return;
    }
    st.schema_ready = true;
  }
  // 1. Membership.
  auto sent = std::chrono::steady_clock::now();
  auto members = store.heartbeat(st.self_info, st.opts.member_ttl);
  if (!members) {
    // Nothing else can be trusted this round; validity lapses by itself.
    cluster_pg_failed(st, "the heartbeat", members.error());
    return;
  }
  st.view->member_until(sent + st.opts.member_ttl);
  auto same = members->size() == st.members.size()
              && std::equal(members->begin(), members->end(), st.members.begin(),
                            [](const member_info& a, const member_info& b) {
                              return a.incarnation == b.incarnation;
                            });
  if (!same) {
    st.members = std::move(*members);
    st.members_since = std::chrono::steady_clock::now();
    log_entry{log_level::info, "cluster: membership changed"}
      .field("incarnation", inc)
      .field("members", static_cast<std::uint64_t>(st.members.size()))
      .write();
  }
  // 2. Renewals.
  auto renewed = store.renew_all(inc, st.opts.lease_ttl);
  if (!renewed) {
    cluster_pg_failed(st, "renewing the leases", renewed.error());
    return;
  }
  cluster_apply_renewal(self, *renewed);
  cluster_retry_releases(st);
  // 3. Takes and handoffs.
  std::vector<std::string> incarnations;
  for (auto& m : st.members)
    incarnations.push_back(m.incarnation);
  bool stable = std::chrono::steady_clock::now() - st.members_since >= st.opts.stable_after;
  auto busy = st.handing_off;
  for (auto& [shard, epoch] : st.to_release)
    busy.insert(shard);
  auto plan = plan_cluster_round(st.opts.shards, incarnations, inc, st.held, busy, stable,
                                 st.opts.max_handoffs);
  for (auto shard : plan.acquire) {
    auto lease = store.acquire(shard, inc, st.opts.lease_ttl);
    if (!lease) {
      cluster_pg_failed(st, "taking a lease", lease.error());
      if (cluster_is_unavailable(lease.error()))
        return;
      continue;
    }
    if (!lease->granted)
      continue; // another holds it unexpired: its handoff or expiry comes first
    st.held[shard] = lease->epoch;
    st.view->hold(shard, lease->epoch, lease->requested_at + st.opts.lease_ttl);
  }
  for (auto shard : plan.hand_off)
    cluster_hand_off(self, shard, st.opts.handoff_timeout);
  // 4. Routes.
  auto leases = store.leases();
  if (!leases) {
    cluster_pg_failed(st, "reading the leases", leases.error());
    return;
  }
  cluster_pg_answered(st);
  st.view->publish(std::make_shared<const cluster_routes>(
    make_cluster_routes(st.opts.shards, st.members, *leases)));
  metrics().cluster_shards_held.store(st.held.size(), std::memory_order_relaxed);
  metrics().cluster_members.store(st.members.size(), std::memory_order_relaxed);
}

caf::behavior cluster_leaving(cluster_pointer self) {
  return {
    [self](leave_atom) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      self->state.leave_promises.push_back(rp);
      return rp;
    },
    [](cluster_round_atom) {
      // No more rounds.
    },
    [self](cluster_leave_deadline_atom) { cluster_finish_leave(self); },
  };
}

caf::behavior cluster_running(cluster_pointer self) {
  return {
    [self](cluster_round_atom) {
      auto started = std::chrono::steady_clock::now();
      cluster_round(self);
      // The cadence stays fixed: the next round starts one heartbeat after
      // this one started, however long this one took.
      auto next = started + self->state.opts.heartbeat - std::chrono::steady_clock::now();
      self->delayed_send(self, std::max<std::chrono::steady_clock::duration>(next, {}),
                         cluster_round_atom::value);
    },
    [self](leave_atom) -> caf::result<bool> {
      auto& st = self->state;
      auto rp = self->make_response_promise<bool>();
      st.leave_promises.push_back(rp);
      st.leaving = true;
      self->become(cluster_leaving(self));
      log_info("cluster: leaving");
      st.view->member_until({});
      for (auto& [shard, epoch] : st.held)
        st.view->drop(shard);
      auto timeout = std::min(st.opts.handoff_timeout, st.opts.leave_timeout);
      std::vector<std::uint32_t> shards;
      for (auto& [shard, epoch] : st.held)
        if (st.handing_off.count(shard) == 0)
          shards.push_back(shard);
      for (auto shard : shards)
        cluster_hand_off(self, shard, timeout);
      if (st.handing_off.empty() && !st.left)
        self->send(self, cluster_leave_deadline_atom::value); // nothing to wait for
      else
        self->delayed_send(self, st.opts.leave_timeout, cluster_leave_deadline_atom::value);
      return rp;
    },
    [](cluster_leave_deadline_atom) {
      // A leftover of no leave.
    },
  };
}

caf::behavior cluster_actor_impl(cluster_pointer self, cluster_options opts,
                                 std::shared_ptr<cluster_view> view, shard_host_actor host) {
  auto& st = self->state;
  st.store = std::make_unique<cluster_store>(opts.pg);
  st.self_info = {opts.node_name, opts.incarnation, opts.http_address, opts.caf_address};
  st.opts = std::move(opts);
  st.view = std::move(view);
  st.host = std::move(host);
  st.members_since = std::chrono::steady_clock::now();
  self->send(self, cluster_round_atom::value); // the first round at once
  return cluster_running(self);
}

} // namespace

caf::actor spawn_cluster_actor(caf::actor_system& sys, cluster_options opts,
                               std::shared_ptr<cluster_view> view, shard_host_actor host) {
  return sys.spawn<caf::detached>(cluster_actor_impl, std::move(opts), std::move(view),
                                  std::move(host));
}

} // namespace analysisd
