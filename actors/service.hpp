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
#include <functional>
#include <string>

namespace analysisd {

struct service_options {
  std::string data_dir = "./data";
  std::uint64_t journal_rotate_bytes = 64u << 20; ///< Compact once the journal is this large.
  storage* st = nullptr;                           ///< Defaults to the real file system.
  /// An analysis actor that got no request for this long hands its state
  /// back to the registry and quits (0: actors stay until shutdown).
  std::chrono::milliseconds actor_idle{30000};
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
};

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
