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
#include "persistence/recovery.hpp"
#include "persistence/storage.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace analysisd {

struct service_options {
  std::string data_dir = "./data";
  std::uint64_t journal_rotate_bytes = 64u << 20; ///< Compact once the journal is this large.
  storage* st = nullptr;                           ///< Defaults to the real file system.
  /// An analysis actor that got no request for this long hands its state
  /// back to the registry and quits (0: actors stay until shutdown).
  std::chrono::milliseconds actor_idle{30000};
};

/// A running service: the actors, and what recovery found.
struct service {
  registry_actor registry;
  persistence_actor journal;
  std::size_t analyses_loaded = 0;
  double recovery_seconds = 0;
};

/// What open_data_dir found and made.
struct opened_data_dir {
  recovery_report report;                  ///< The recovered state; report.damage says what was cut.
  std::vector<std::string> cleanup;        ///< What the start-up cleanup did, one line each.
  std::unique_ptr<journal_writer> journal; ///< The journal to append to next, created and durable.
};

/// The storage half of start_service, without actors and without logging:
/// creates the data directory if needed, recovers the state (snapshot +
/// journal), removes files that no record names, and creates the next
/// journal. Returns an empty string on success, else why the data directory
/// cannot be used (then `out` is not to be used). Blocks; any thread.
std::string open_data_dir(storage& st, const std::string& data_dir, opened_data_dir& out);

/// Creates the data directory (mode 0700) if needed, recovers the state
/// (snapshot + journal), removes files that no record names, logs what it did,
/// and spawns the actors. Blocks; call it from a thread outside the actor
/// system's scheduler (for example `main`). Returns an error (io_error, with
/// the reason as context) if the state cannot be recovered; nothing is
/// started then.
caf::expected<service> start_service(caf::actor_system& sys, const service_options& opts);

/// Waits for every acknowledged change to be durable, writes a final snapshot
/// (so that the next start replays no journal) and stops the actors. Blocks;
/// call it from outside the scheduler, after the last request was answered.
/// Returns the snapshot's error, if any (the journal still holds everything).
caf::error stop_service(caf::actor_system& sys, service& svc);

} // namespace analysisd
