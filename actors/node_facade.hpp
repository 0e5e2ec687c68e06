#pragma once

#include "actors/cluster.hpp"
#include "actors/node_protocol.hpp"
#include "actors/protocol.hpp"
#include "actors/read_views.hpp"

#include <caf/actor_system.hpp>

#include <chrono>
#include <memory>

namespace analysisd {

/// Spawns what a node publishes for its peers (node_actor_v2 on its CAF
/// port): it relays each request to `registry` (the node's shard registry,
/// or any actor offering node_requests) and passes the answer back,
/// never delegating, so no handle of an analysis actor reaches a peer (see
/// relay()). A get or authorize of an analysis of a shard `cluster` says
/// this node serves is answered from `views` when they decide it (see
/// read_from_views), without a message to the registry; a get that asks
/// for a read lease gets one then, when `leases` grant any (the asker, a
/// peer link, is the holder: see read_leases.hpp). A reservation it
/// made for a peer that goes down (its node died, or its connection did)
/// before committing or abandoning it is abandoned then: nobody else could.
/// So is one that `registry` answered later than `reserve_within` after the
/// request arrived (an owner too slow): the peer that asked may have
/// stopped waiting, and would then never learn its file id; it is answered
/// `unavailable` instead (the router sends a reserve only with twice that
/// long to spare: cluster_router_options::reserve_lead). The caller
/// publishes it and ends it with an exit message. Any thread.
node_actor_v2 spawn_node_facade(caf::actor_system& sys, node_requests registry,
                                std::shared_ptr<const read_views> views = nullptr,
                                std::shared_ptr<const cluster_view> cluster = nullptr,
                                std::shared_ptr<read_leases> leases = nullptr,
                                std::chrono::milliseconds reserve_within
                                = std::chrono::milliseconds{1000});

} // namespace analysisd
