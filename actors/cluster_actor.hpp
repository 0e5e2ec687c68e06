#pragma once

/// The cluster actor (DESIGN.md, "Scaling out: cluster mode"): membership,
/// shard leases and the ownership view of one node.

#include "actors/cluster.hpp"
#include "persistence/cluster_store.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace analysisd {

// -- decisions (pure) -------------------------------------------------------------

/// What one round does with the leases, given the live members.
struct cluster_round_plan {
  /// Shards rendezvous gives to this node that it does not hold: try to take
  /// them (no limit: they are free, expiring, or still held by an old owner
  /// who will hand them off).
  std::vector<std::uint32_t> acquire;
  /// Held shards rendezvous gives to another member, to hand off this round
  /// (none unless membership is stable; at most max_handoffs), in shard order.
  std::vector<std::uint32_t> hand_off;
};

/// Plans a round. `incarnations`: the live members (this one included);
/// `held`: the shards this node holds, with their epochs; `busy`: shards
/// neither to take nor to hand off (a handoff under way, a release to
/// retry). With no live member (the heartbeat failed), nothing is planned.
cluster_round_plan plan_cluster_round(std::uint32_t shards, const std::vector<std::string>& incarnations,
                                      const std::string& self,
                                      const std::map<std::uint32_t, std::int64_t>& held,
                                      const std::set<std::uint32_t>& busy, bool stable,
                                      std::uint32_t max_handoffs);

/// The routes: per shard, the holder of its unexpired lease if it is a live
/// member, else the member rendezvous gives it to (-1 without members).
/// `members` are the live members ordered by incarnation.
cluster_routes make_cluster_routes(std::uint32_t shards, std::vector<member_info> members,
                                   const std::vector<lease_holder>& leases);

// -- the actor ----------------------------------------------------------------------

/// Spawns the cluster actor, detached (it blocks on PostgreSQL, each call
/// bounded by opts.pg.call_timeout), with a cluster_store of its own. It is
/// the only writer of `view`. Every opts.heartbeat (the first round at
/// once, then on a fixed cadence) it heartbeats, renews its leases, takes the
/// shards rendezvous hashing gives it, hands off (rate-limited, once
/// membership is stable) the ones it gives to others, and publishes the
/// routes. A lease it finds lost is dropped from the view and `host` is told
/// (handoff_atom). A shard is served only under a lease PostgreSQL granted,
/// until the time its last successful renewal was sent plus opts.lease_ttl:
/// cut off from PostgreSQL, the node stops serving by itself.
///
/// Messages:
///  - (leave_atom) -> bool: graceful shutdown. Drops every shard from the
///    view, hands each off through `host` (concurrently; at most
///    opts.leave_timeout in all), releases every lease, deletes the member
///    row, answers (true if PostgreSQL took both; false: the leases and the
///    row expire by themselves) and quits. Within about leave_timeout + two
///    PostgreSQL calls.
///  - an exit message (e.g. user_shutdown) makes it quit after the call in
///    progress, if any; its leases then expire by themselves. The owner must
///    send one of the two before the actor system shuts down.
caf::actor spawn_cluster_actor(caf::actor_system& sys, cluster_options opts,
                               std::shared_ptr<cluster_view> view, shard_host_actor host);

} // namespace analysisd
