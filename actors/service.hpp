#pragma once

/// The in-process API of analysisd. Code running in the same
/// `caf::actor_system` starts the service with start_service() and then
/// messages `service::registry` (see registry_actor in actors/protocol.hpp):
///
///     auto svc = analysisd::start_service(sys, {"./data"});
///     caf::scoped_actor self{sys};
///     self->request(svc->registry, caf::infinite, analysisd::create_atom::value, req)
///       .receive([](std::string& doc) { ... }, [](caf::error& err) { ... });
///
/// Operators' rights come with admin_credential(); a job's with
/// job_credential(job_id, key). Errors are caf::error values of the
/// `analysisd` category (errc in actors/protocol.hpp). No HTTP is involved.

#include "actors/protocol.hpp"
#include "actors/read_views.hpp"
#include "persistence/data_dir.hpp"
#include "persistence/file_store.hpp"
#include "persistence/recovery.hpp"
#include "persistence/storage.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace analysisd {

struct service_options {
  std::string data_dir = "./data";
  std::uint64_t journal_rotate_bytes = 64u << 20; ///< Compact once the journal is this large.
  /// The zeros each journal keeps ahead of its records (journal_writer).
  std::uint64_t journal_zeros_ahead = analysisd::journal_zeros_ahead;
  storage* st = nullptr;                           ///< Defaults to the real file system.
  /// An analysis actor that got no request for this long hands its state
  /// back to the registry and quits (0: actors stay until shutdown).
  std::chrono::milliseconds actor_idle{30000};
  /// Damage other than a torn journal tail is moved to the quarantine
  /// instead of stopping the start (--repair).
  bool repair = false;
  /// The data dir's lock, when the caller took it already (main takes it
  /// before it reads anything). Null: start_service takes it itself, on the
  /// real file system (a test's `st` of its own needs none).
  std::shared_ptr<const data_dir_lock> lock{};
  /// Set once an fsync of the journal failed (the service then takes no more
  /// writes), for readiness checks on other threads. May be null.
  std::shared_ptr<std::atomic<bool>> read_only{};
  /// Called with each analysis actor the registry spawns, on the registry's
  /// thread (tests use it to kill one). May be empty.
  std::function<void(const std::string& analysis_id, const analysis_actor&)> on_analysis_spawn{};
};

/// A running service: the actors, and what recovery found.
struct service {
  registry_actor registry;
  persistence_actor journal;
  std::size_t analyses_loaded = 0;
  double recovery_seconds = 0;
  std::shared_ptr<const data_dir_lock> lock; ///< Held while the service lives.
  /// The uploaded bytes, for callers that write an upload themselves
  /// (reserve_atom ... commit_atom).
  std::shared_ptr<const file_store> files;
  /// What the actors publish for reads without a message (see
  /// actors/read_views.hpp): read them on any thread, write them never.
  std::shared_ptr<const read_views> views;
};

/// What open_data_dir found and made.
struct opened_data_dir {
  recovery_report report;                  ///< The recovered state; report.damage says what was cut.
  std::vector<std::string> cleanup;        ///< What the start-up cleanup did, one line each.
  std::unique_ptr<journal_writer> journal; ///< The journal to append to next, created and durable.
  int migrated_from = 0;                   ///< The older format the state was migrated from, or 0.
};

/// The storage half of start_service, without actors, locking and logging:
/// creates the data directory if needed, checks its format, makes its
/// directories durable, recovers the state (snapshot + journal; see
/// recover() for what is repaired, with or without `repair`, and what stops
/// the start), migrates state of an older format (a snapshot in the current
/// one, then the format file), cleans up the file store (see
/// file_store::cleanup), and creates the next journal. Returns an empty
/// string on success, else why the data directory cannot be used: of an
/// unknown format, or damaged; then nothing in it was deleted or rewritten,
/// and `out` is not to be used. `zeros_ahead`: the new journal's
/// (journal_writer). Blocks; any thread.
std::string open_data_dir(storage& st, const std::string& data_dir, bool repair,
                          opened_data_dir& out,
                          std::uint64_t zeros_ahead = journal_zeros_ahead);

/// Locks the data dir (unless the caller holds its lock), opens it with
/// open_data_dir, logs what that did, and spawns the actors. Blocks; call it
/// from a thread outside the actor system's scheduler (for example `main`).
/// Returns an error (io_error, with the reason as context) if the data dir is
/// in use by another server or cannot be opened; nothing is started then.
caf::expected<service> start_service(caf::actor_system& sys, const service_options& opts);

/// Waits for every acknowledged change to be durable, writes a final snapshot
/// (so that the next start replays no journal) and stops the actors. Blocks;
/// call it from outside the scheduler, after the last request was answered.
/// Returns the snapshot's error, if any (the journal still holds everything).
caf::error stop_service(caf::actor_system& sys, service& svc);

} // namespace analysisd
