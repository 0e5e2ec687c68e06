#pragma once

/// Cluster mode's registry on one node: the analyses of the shards this node
/// holds leases for (DESIGN.md, "Scaling out"). It answers the registry
/// interface for those analyses only; a request for an analysis of another
/// shard gets `unavailable` with context "not owner" (the router sends it
/// elsewhere, or retries). What it keeps of an analysis is what PostgreSQL
/// held under the lease epoch it serves the shard at, plus its own writes:
///  - an analysis is loaded from its journal records when a request needs it
///    and becomes a live analysis actor (the same actor as single-node mode,
///    whose appends this registry relays, numbering them per analysis and
///    fencing them with the lease epoch under which it was loaded);
///  - an idle actor hands its state back and the analysis stays dormant
///    (bounded by `dormant_bytes`, least recently retired out first): while
///    this incarnation serves the shard at the same epoch, no other one can
///    have written it (PostgreSQL changes the epoch whenever the lease lapses
///    or changes hands, and the journal's fence refuses any other epoch), so
///    the next request spawns its actor from that state without a load. A
///    dormant analysis of another epoch is loaded again;
///  - an actor whose append failed (its outcome may be unknown) and the
///    actors of a shard handed off are dropped with nothing kept, and the
///    next request loads the analysis again;
///  - jobs are read from PostgreSQL, and the acquired ones cached (a job's
///    key never changes once set).
/// Create goes here on the owner of the new id's shard; acquire on the owner
/// of the job's analysis's shard (the key is recorded by the analysis's own
/// journal, atomically with the jobs table). The listing is read from
/// PostgreSQL by whoever asks (the router).

#include "actors/analysis_actor.hpp"
#include "actors/cluster.hpp"
#include "actors/node_protocol.hpp"
#include "actors/protocol.hpp"
#include "actors/read_views.hpp"
#include "persistence/file_store.hpp"

#include <caf/actor_system.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace analysisd {

/// The shard registry's interface: what peers may ask (node_requests), the
/// listing and stats, the append relay of its analysis actors, the handoff
/// the cluster actor asks for, and its own timers (the idle sweep, and the
/// handoff's re-check: shard, deadline in steady_clock ticks). An upload's
/// bytes are never a message here: the router reserves, writes them into
/// the shared file store and commits.
using shard_registry_actor
  = node_requests::extend<caf::replies_to<list_atom, list_request>::with<std::string>,
                          caf::replies_to<stats_atom>::with<std::uint64_t, std::uint64_t>,
                          caf::reacts_to<sweep_atom>,
                          caf::reacts_to<handoff_atom, std::uint32_t, std::int64_t>>::
    extend_with<journal_actor, shard_host_actor>;

/// The answer of a node that does not serve the analysis's shard (now):
/// nothing was done, so the request may go elsewhere or be tried again.
caf::error not_owner();
bool is_not_owner(const caf::error& err);


struct shard_registry_options {
  std::shared_ptr<const cluster_view> cluster;
  pg_journal_actor journal;
  pg_reader_actor readers;
  std::shared_ptr<const file_store> files;
  std::shared_ptr<read_views> views; ///< May be null.
  std::string node_name;             ///< Writes the bytes of the uploads it reserves.
  std::chrono::milliseconds actor_idle{30000};
  /// The memory (estimated) that dormant analyses may take; 0 keeps none,
  /// and every request of a retired analysis loads it from PostgreSQL.
  std::size_t dormant_bytes = std::size_t{64} << 20;
  /// How long a handoff waits for uploads in flight before it drops their
  /// actors anyway (their commits then fail, fenced or not_found).
  std::chrono::milliseconds handoff_timeout{5000};
};

shard_registry_actor spawn_shard_registry(caf::actor_system& sys, shard_registry_options opts);

} // namespace analysisd
