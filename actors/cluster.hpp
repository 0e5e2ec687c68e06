#pragma once

/// Cluster mode's moving parts inside one node (DESIGN.md, "Scaling out"):
///  - cluster_options: what the configuration says;
///  - cluster_view: which shards this node serves right now and where every
///    other shard's owner is, written by the cluster actor, read by any
///    thread without a lock;
///  - the cluster actor: heartbeats into the members table, takes, renews,
///    hands off and releases shard leases (persistence/cluster_store.hpp);
///  - the PostgreSQL journal and readers: the cluster registry's storage.
///
/// Safety does not rest on the view: every journal write is fenced by its
/// shard's lease epoch inside PostgreSQL. The view only makes a node stop
/// serving a shard by itself once its last successful renewal is too old
/// (monotonic clock), and tells the router where to send a request.

#include "actors/protocol.hpp"
#include "persistence/cluster_store.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/typed_actor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace analysisd {

// -- configuration ----------------------------------------------------------------

struct cluster_options {
  std::string node_name;   ///< The configured name (defaults to the host name).
  std::string incarnation; ///< Random per process start (CAF's node_id changes with the pid).
  std::string http_address; ///< host:port, for the members table (operators).
  /// host:port where this node publishes node_actor_v2 for its peers.
  std::string caf_address;
  pg_options pg;
  std::uint32_t shards = 256;
  /// How often the cluster actor heartbeats and renews its leases.
  std::chrono::milliseconds heartbeat{500};
  /// A member whose last heartbeat (PostgreSQL's clock) is older is dead.
  std::chrono::milliseconds member_ttl{3000};
  /// A lease lasts this long from a successful renewal (PostgreSQL's clock);
  /// the node stops serving the shard this long after it *sent* its last
  /// successful renewal, by its own monotonic clock.
  std::chrono::milliseconds lease_ttl{3000};
  /// Membership must be unchanged this long before a held shard is handed
  /// off to its new owner (no handoffs while nodes come and go).
  std::chrono::milliseconds stable_after{1000};
  /// Held shards handed off per round, at most (rebalancing is rate-limited).
  /// Shards that nobody holds (released or expired) are taken without limit.
  std::uint32_t max_handoffs = 8;
  /// The node's registry gets this long to retire a shard's actors
  /// (handoff_atom); after it the lease is released anyway (the journal's
  /// fence protects what a late actor might still write).
  std::chrono::milliseconds handoff_timeout{10000};
  /// A graceful leave (leave_atom) waits this long, at most, for the
  /// handoffs before it releases every lease and leaves the members table.
  std::chrono::milliseconds leave_timeout{3000};
  /// Requests to a peer node get this long for their answer.
  std::chrono::milliseconds peer_timeout{4000};
  /// A file reservation (an upload's bytes being written) lasts this long
  /// unless committed; then the janitor deletes its bytes.
  std::chrono::milliseconds reservation_ttl{std::chrono::hours(6)};
};

// -- the view ------------------------------------------------------------------------

/// Where each shard is served: the members and, per shard, the member that
/// holds its lease (or, when nobody holds it, the member rendezvous hashing
/// gives it to, which is about to take it).
struct cluster_routes {
  std::vector<member_info> members;  ///< Live members, ordered by incarnation.
  std::vector<std::int32_t> owner;   ///< Per shard: index into members, -1 if none is known.
};

/// Written by the cluster actor only; read by any thread, lock-free.
class cluster_view {
public:
  cluster_view(std::uint32_t shards, std::string incarnation);

  std::uint32_t shards() const {
    return shards_;
  }

  const std::string& incarnation() const {
    return incarnation_;
  }

  /// The lease epoch under which this node serves `shard` now: its lease
  /// is held and the last successful renewal was sent less than the lease
  /// ttl ago (monotonic clock). nullopt: do not serve it.
  std::optional<std::int64_t> serving(std::uint32_t shard) const;

  /// Until when (monotonic clock) this node serves `shard` unless it renews
  /// its lease again: nullopt when it does not serve it now. What it grants
  /// others (read leases) must end by then.
  std::optional<std::chrono::steady_clock::time_point> serving_until(std::uint32_t shard) const;

  /// The current routes (never null once the cluster actor's first round
  /// succeeded; null before).
  std::shared_ptr<const cluster_routes> routes() const;

  /// True while this node's membership is valid: its last heartbeat that
  /// succeeded was sent less than the member ttl ago (readiness).
  bool member() const;

  // -- the cluster actor's side ---------------------------------------------------

  /// This node holds `shard` at `epoch`, valid until `valid_until`.
  void hold(std::uint32_t shard, std::int64_t epoch, std::chrono::steady_clock::time_point valid_until);
  /// This node no longer serves `shard`.
  void drop(std::uint32_t shard);
  void publish(std::shared_ptr<const cluster_routes> routes);
  void member_until(std::chrono::steady_clock::time_point until);

private:
  struct lease_slot {
    std::atomic<std::int64_t> epoch{0};
    std::atomic<std::int64_t> valid_until{0}; ///< steady_clock ticks; 0: not held.
  };
  std::uint32_t shards_;
  std::string incarnation_;
  std::unique_ptr<lease_slot[]> leases_;
  std::shared_ptr<const cluster_routes> routes_; ///< std::atomic_load / atomic_store.
  std::atomic<std::int64_t> member_until_{0};
};

// -- messages between the cluster's actors ---------------------------------------------

using handoff_atom = caf::atom_constant<caf::atom("handoff")>;
using load_atom = caf::atom_constant<caf::atom("load")>;
using job_atom = caf::atom_constant<caf::atom("job")>;
using janitor_atom = caf::atom_constant<caf::atom("janitor")>;
/// To the cluster actor: leave the cluster gracefully -> bool.
using leave_atom = caf::atom_constant<caf::atom("leave")>;

/// What the cluster actor asks of the node's registry: stop serving a shard
/// (retire its analysis actors once what they hold in flight is done, and
/// refuse new requests for it) -> true once nothing of it runs any more.
/// The cluster actor drops the shard from the view first, and releases its
/// lease after the answer.
using shard_host_actor = caf::typed_actor<caf::replies_to<handoff_atom, std::uint32_t>::with<bool>>;

/// The journal of cluster mode: appends one entry (shard, epoch, seq,
/// record, listing summary) -> true once committed in PostgreSQL. Group
/// commit: every entry that arrives while a transaction runs goes into the
/// next one. Errors (nothing of the entry's batch was acknowledged):
/// unavailable with context "fenced ..." (is_fenced) when a lease or seq
/// fenced the batch; unavailable when PostgreSQL was not reached or the
/// commit's outcome is unknown; job_already_acquired for a job_acquired
/// record of a job that has a key already; not_found "reservation ..." for a
/// file_added whose reservation expired.
using pg_journal_actor = caf::typed_actor<caf::replies_to<append_atom, journal_entry>::with<bool>>;

/// Reads from PostgreSQL, and the writes that are not journal records.
using pg_reader_actor = caf::typed_actor<
  // An analysis's state and next seq. Errors: not_found.
  caf::replies_to<load_atom, std::string>::with<loaded_analysis>,
  // A job. Errors: not_found.
  caf::replies_to<job_atom, std::string>::with<job_info>,
  // A page of the listing.
  caf::replies_to<list_atom, list_request>::with<analysis_page>,
  // Reserve a file id for an upload whose bytes `node` writes.
  caf::replies_to<reserve_atom, file_reservation>::with<bool>,
  // Forget a reservation whose bytes were deleted (an abandoned upload).
  caf::replies_to<abandon_atom, std::string, std::uint64_t>::with<bool>>;

} // namespace analysisd
