#pragma once

/// Cluster mode's entry point on one node: the registry interface that HTTP
/// and in-process callers use, answered for every analysis whichever node
/// owns it (DESIGN.md, "Scaling out"). A request for an analysis goes to
/// this node's shard registry when the node serves the analysis's shard, or
/// else to the owner's node (its published node_actor_v2, through a peer
/// link: monitored, every request with a finite timeout).
///  - An owner that answers "not owner" did nothing: the request is sent
///    again, to whoever the view names then, for up to `retry_window` (a
///    shard being handed over).
///  - An owner that cannot be reached: a read (get, download, authorize) is
///    tried once more once a view was published after the failure (it names
///    the new owner when the old one left), unless the first try took the
///    whole peer timeout (a request never waits two of them); a write fails
///    with `unavailable` (503 with Retry-After), its outcome unknown to this
///    node. A request that never left this node (the peer could not be
///    connected to) waits for the next view the same way and goes again,
///    even a write, while a connection attempt still fits in `retry_window`.
///  - Whatever the peers do, a request has its answer within
///    `answer_within`: an attempt still running on a peer then fails with
///    `unavailable` (for a write: outcome unknown).
///  - A job's get sent to a peer asks for a read lease; the peer link keeps
///    the document granted with it as a replica (actors/read_leases.hpp),
///    which the HTTP layer answers that job's GETs from until it ends or the
///    owner revokes it.
///  - Create draws the new id here and goes to the owner of its shard;
///    acquire looks the job up in PostgreSQL and goes to the owner of its
///    analysis; the listing is read from PostgreSQL here.
///  - An upload given as one message (in-process callers) is reserved with
///    the owner, written here into the shared file store, and committed
///    with the owner: bytes never travel between nodes as a message.

#include "actors/cluster.hpp"
#include "actors/protocol.hpp"
#include "actors/read_leases.hpp"
#include "actors/shard_registry.hpp"
#include "persistence/file_store.hpp"

#include <caf/actor_system.hpp>

#include <chrono>
#include <memory>

namespace analysisd {

struct cluster_router_options {
  std::shared_ptr<const cluster_view> cluster;
  shard_registry_actor local;
  pg_reader_actor readers;
  std::shared_ptr<const file_store> files;
  /// Where the peer links keep replicas under read leases (null: none).
  std::shared_ptr<read_leases> leases;
  /// A peer gets this long to answer a request (then: unavailable).
  std::chrono::milliseconds peer_timeout{4000};
  std::chrono::milliseconds connect_timeout{2000};
  /// How long a request is retried: after "not owner" answers, while nobody
  /// holds its shard, and while it waits for a view after its owner could
  /// not be reached.
  std::chrono::milliseconds retry_window{4000};
  std::chrono::milliseconds retry_delay{100};
  /// Every request routed here is answered within this long (at least
  /// `retry_window`) unless this node's own shard registry holds it: an
  /// attempt still running on a peer then fails with `unavailable` (a
  /// write's outcome is then unknown to this node).
  std::chrono::milliseconds answer_within{4500};
  /// A reservation (the head of an upload) goes to a peer only while this
  /// much of `answer_within` is left: twice the time the owner's facade
  /// gives its own answer (`reserve_within` of spawn_node_facade), so that
  /// the reservation, if made, arrives before this node stops waiting.
  std::chrono::milliseconds reserve_lead{2000};
};

registry_actor spawn_cluster_router(caf::actor_system& sys, cluster_router_options opts);

} // namespace analysisd
