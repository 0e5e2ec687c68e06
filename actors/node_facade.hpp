#pragma once

#include "actors/node_protocol.hpp"
#include "actors/protocol.hpp"

#include <caf/actor_system.hpp>

namespace analysisd {

/// Spawns what a node publishes for its peers (node_actor_v1 on its CAF
/// port): it relays each request to `registry` (the node's shard registry,
/// or any actor offering node_actor_v1) and passes the answer back,
/// never delegating, so no handle of an analysis actor reaches a peer (see
/// relay()). The caller publishes it and ends it with an exit message. Any
/// thread.
node_actor_v1 spawn_node_facade(caf::actor_system& sys, node_actor_v1 registry);

} // namespace analysisd
