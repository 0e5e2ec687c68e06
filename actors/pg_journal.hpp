#pragma once

/// Cluster mode's storage actors over PostgreSQL (persistence/cluster_store.hpp):
/// the journal (group commit, fenced by the shard leases), the readers, and
/// the blob janitor. Every blocking call runs on a detached actor of its own
/// (one PostgreSQL connection each), never on CAF's scheduler threads; each
/// call is bounded by pg_options' timeouts, so no request waits forever for a
/// PostgreSQL that stopped answering.

#include "actors/cluster.hpp"
#include "persistence/file_store.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace analysisd {

/// The most entries one journal transaction holds; more waiting entries go
/// into the transactions after it.
constexpr std::size_t pg_journal_batch_cap = 512;

/// What the journal did, counted by its writer (any thread may read).
struct pg_journal_stats {
  std::atomic<std::uint64_t> batches{0};      ///< Batches taken from the queue.
  std::atomic<std::uint64_t> entries{0};      ///< Entries in them.
  std::atomic<std::uint64_t> transactions{0}; ///< append_batch calls, retries included.
  std::atomic<std::uint64_t> retries{0};      ///< Second (third, ...) transactions of a batch.
};

/// The journal of cluster mode (pg_journal_actor in cluster.hpp): appends
/// under `incarnation`'s leases. Group commit: entries that arrive while a
/// transaction runs form the next batch (at most pg_journal_batch_cap), one
/// transaction (cluster_store::append_batch) per batch; every requester is
/// answered true only after its batch committed.
///
/// Errors: those of append_batch, delivered to the requesters they concern.
/// When the batch was refused because of some of its entries (their shard's
/// lease or record key fenced them, a file_added's reservation expired, a
/// job_acquired's job has a key already) nothing was written: those entries
/// get that error, the other entries of their analyses get unavailable
/// ("not written: ...", since a later record must not commit without an
/// earlier one), and the remaining entries (other analyses) are written in
/// one more transaction, again as a whole. A batch whose outcome is unknown
/// (unavailable, e.g. a COMMIT whose answer was lost) is never retried:
/// every requester of it gets the error.
///
/// The journal runs until it is sent an exit; its writer (a detached actor
/// with one connection, reconnecting at the next batch after a failure) is
/// linked to it. `stats` (optional) is updated by the writer.
pg_journal_actor spawn_pg_journal(caf::actor_system& sys, pg_options opts, std::string incarnation,
                                  std::shared_ptr<pg_journal_stats> stats);

/// The same, without counters.
pg_journal_actor spawn_pg_journal(caf::actor_system& sys, pg_options opts, std::string incarnation);

/// The readers (pg_reader_actor in cluster.hpp): `connections` (at least 1)
/// detached workers with a connection each, behind a front actor that sends
/// each request to the worker with the fewest requests in flight.
///  - load_atom: cluster_store::load_analysis;
///  - job_atom: cluster_store::job;
///  - list_atom: checked here with check_list (invalid_query), then
///    cluster_store::list;
///  - reserve_atom: cluster_store::reserve_file for `reservation_ttl`;
///  - abandon_atom (analysis id, file id): cluster_store::expire_reservation
///    (the janitor then deletes whatever bytes are left, and the row).
/// Errors: those of cluster_store (unavailable when PostgreSQL is not
/// reached in time). Runs until it is sent an exit; its workers are linked.
pg_reader_actor spawn_pg_readers(caf::actor_system& sys, pg_options opts, std::size_t connections,
                                 std::chrono::milliseconds reservation_ttl = std::chrono::hours(6));

/// Asks the janitor for one round now -> std::uint64_t, the reservations
/// whose bytes it deleted and that it dropped in that round.
using janitor_round_atom = caf::atom_constant<caf::atom("jround")>;

/// The blob janitor: a detached actor that, every `interval`, takes up to
/// pg_janitor_round expired reservations (cluster_store::expired_reservations),
/// deletes their bytes (file_store::remove_upload: the temporary file and a
/// final file of that name, if any) and then drops each reservation whose
/// bytes are gone. A reservation whose bytes could not be deleted stays for
/// the next round (logged). (janitor_round_atom) runs a round at once. Ends
/// when it is sent an exit.
caf::actor spawn_blob_janitor(caf::actor_system& sys, pg_options opts,
                              std::shared_ptr<const file_store> files,
                              std::chrono::milliseconds interval);

/// The most reservations one round of the janitor handles.
constexpr std::size_t pg_janitor_round = 256;

} // namespace analysisd
