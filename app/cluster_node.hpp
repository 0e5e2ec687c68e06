#pragma once

// Cluster mode's wiring in one process (DESIGN.md, "Scaling out"): the
// cluster actor (membership, leases), PostgreSQL's journal and readers, the
// shard registry (this node's analyses), the router (every request, whoever
// owns it), the node facade published for the peers, and the blob janitor.

#include "actors/cluster.hpp"
#include "actors/node_protocol.hpp"
#include "actors/protocol.hpp"
#include "actors/read_leases.hpp"
#include "actors/read_views.hpp"
#include "actors/shard_registry.hpp"
#include "app/config.hpp"
#include "persistence/file_store.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>
#include <string>

namespace analysisd {

struct cluster_node {
  cluster_options opts;
  std::shared_ptr<cluster_view> view;
  std::shared_ptr<const file_store> files;
  std::shared_ptr<read_views> views;
  std::shared_ptr<read_leases> leases; ///< Also views->leases.
  pg_journal_actor journal;
  pg_reader_actor readers;
  shard_registry_actor local;
  registry_actor router; ///< What HTTP and in-process callers talk to.
  node_actor_v2 facade;  ///< Published on --cluster-listen.
  caf::actor cluster;
  caf::actor janitor;
};

/// The options of `cfg` (cluster mode), with a fresh incarnation id.
cluster_options make_cluster_options(const server_config& cfg);

/// Creates or checks the schema in PostgreSQL (waiting up to `wait` for it
/// to be reachable), spawns the actors, publishes the node facade and waits
/// (up to the lease ttl) for the first heartbeat. Returns why it could not,
/// or "" with `out` running. Blocks; call it from outside the scheduler.
std::string start_cluster_node(caf::actor_system& sys, const server_config& cfg,
                               std::chrono::milliseconds wait, cluster_node& out);

/// Leaves the cluster (this node's shards are handed off and its leases
/// released, so the others take them at once) and stops the actors. Blocks.
void stop_cluster_node(caf::actor_system& sys, cluster_node& node);

} // namespace analysisd
