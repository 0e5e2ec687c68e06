#pragma once

#include "actors/protocol.hpp"
#include "persistence/journal.hpp"
#include "persistence/storage.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace analysisd {

/// Owns the journal file and does the blocking write + fdatasync of each
/// batch (internal to the persistence actor).
using syncer_actor = caf::typed_actor<
  caf::replies_to<append_atom, std::string>::with<bool>,
  // Starts the next journal; answers its number.
  caf::replies_to<rotate_atom>::with<std::uint64_t>>;

/// The steps of one backup (persistence/backup.hpp) on a detached actor
/// (internal to the persistence actor): open the destination, pin the state
/// as of a journal number, finish.
using backup_open_atom = caf::atom_constant<caf::atom("bkopen")>;
using backup_pin_atom = caf::atom_constant<caf::atom("bkpin")>;
using backup_finish_atom = caf::atom_constant<caf::atom("bkfinish")>;
using backup_worker_actor = caf::typed_actor<
  caf::replies_to<backup_open_atom>::with<bool>,
  caf::replies_to<backup_pin_atom, std::uint64_t>::with<bool>,
  caf::replies_to<backup_finish_atom>::with<backup_report>>;

struct persistence_options {
  std::string state_dir;
  /// The data dir (for backups); empty: the parent of state_dir.
  std::string data_dir;
  /// The journal to append to, already created (start_service does it, so
  /// that a journal that cannot be created stops the start, loudly).
  std::shared_ptr<journal_writer> journal;
  std::uint64_t rotate_bytes = 64u << 20;  ///< Start a new journal and compact past this size.
  /// The zeros ahead of the records of the journals it creates (journal_writer).
  std::uint64_t zeros_ahead = journal_zeros_ahead;
  storage* st = nullptr;                   ///< Defaults to posix_storage().
  /// Set once an fdatasync failed and no more writes are taken (may be null).
  std::shared_ptr<std::atomic<bool>> read_only{};
};

/// The journal writer's own state.
struct persistence_actor_state {
  persistence_options opts;
  syncer_actor syncer;
  std::string pending;                                  ///< Framed records waiting for the next batch.
  std::vector<caf::typed_response_promise<bool>> waiting; ///< Their requesters.
  applied_watcher watcher;                              ///< Hears each durable batch (may be null).
  std::vector<journal_record> pending_records;          ///< What of `pending` the watcher hears.
  /// Syncs decided with the next batch, and with the one being written.
  std::vector<caf::typed_response_promise<bool>> syncs, syncs_in_flight;
  bool batch_in_flight = false;  ///< A batch is with the syncer.
  std::vector<std::chrono::steady_clock::time_point> waiting_since; ///< When each was appended.
  bool writing = false;          ///< A batch (or a rotation) is with the syncer.
  bool compacting = false;       ///< A compactor runs.
  bool failed = false;           ///< An fsync failed: no more writes, ever.
  std::uint64_t journal_bytes = 0;
  std::vector<caf::typed_response_promise<bool>> snapshot_waiters;
  bool final_snapshot = false;   ///< The shutdown snapshot has started.
  /// The backup asked for, if any (one at a time).
  struct backup_request {
    caf::typed_response_promise<backup_report> promise;
    backup_worker_actor worker;
    bool opened = false; ///< Its destination is ready: pin at the next quiet moment.
  };
  std::unique_ptr<backup_request> backup;
  static inline const char* name = "persistence";
};

using persistence_pointer = persistence_actor::stateful_pointer<persistence_actor_state>;

/// Group commit: every record that arrives while a batch is being written and
/// fdatasynced goes into the next batch, one write + one fdatasync; each
/// append is answered only once its batch is durable. The blocking work runs
/// on a detached syncer (and compactor), never on a scheduler thread.
/// Errors: storage_full or io_error for a batch that could not be written
/// (nothing of it counts); read_only for every append once an fdatasync failed.
/// A backup rotates the journal and pins the state as of that rotation while
/// no batch is written (appends queue meanwhile: they are answered late, not
/// refused); the rest of it runs while appends go on.
persistence_actor::behavior_type persistence_actor_impl(persistence_pointer self,
                                                        persistence_options opts);

} // namespace analysisd
