#pragma once

#include "actors/analysis_actor.hpp"
#include "actors/creation_order.hpp"
#include "actors/protocol.hpp"
#include "actors/read_views.hpp"
#include "persistence/file_store.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace analysisd {

/// An analysis whose actor runs. Its state left `registry_state::dormant` for
/// the actor when the actor was spawned, and goes back there when the actor
/// has been idle for a while and hands it back (retires), or, from
/// `durable`, when the actor died.
struct live_entry {
  analysis_actor actor;
  timestamp created_at = 0;
  std::chrono::steady_clock::time_point last_used;
  bool retiring = false; ///< The actor was asked to hand its state back.
  /// The actor died: the analysis becomes dormant again from `durable` once
  /// the records it had sent are decided (the journal answers a sync).
  bool dead = false;
  /// What the journal holds of this analysis: the state handed to the actor
  /// plus every record of it that the journal made durable since (the
  /// journal tells the registry, its watcher, before it answers the actor).
  analysis_state durable;
  /// The actor's next file id (see analysis_actor_state::issued_ids).
  std::shared_ptr<std::atomic<std::uint64_t>> issued_ids;
  /// Requests that came while retiring or dead, run when that ends (with
  /// false if the analysis was removed meanwhile).
  std::vector<std::function<void(bool)>> waiting;
};

/// Called with each analysis actor the registry spawns, on the registry's
/// thread (tests use it to kill one). May be empty.
using spawn_observer = std::function<void(const std::string& analysis_id, const analysis_actor&)>;

/// The registry's own interface: the public one, plus the journal's notices
/// of durable records (the registry watches the journal), so that it knows
/// what is durable of an analysis whose actor dies.
using registry_internal_actor = registry_actor::extend_with<applied_watcher>;

/// Every analysis is in exactly one of `dormant` and `live`.
struct registry_state {
  /// Analyses without an actor, by id: recovery's map itself, taken over
  /// whole, so that a million analyses cost no copy and no second table.
  /// The registry is their one writer, as an analysis actor is of its own.
  state_map dormant;
  /// Dormant analyses whose finalize the registry is recording (it finalizes
  /// a dormant analysis itself, without spawning an actor), with the
  /// requests for them that came meanwhile: they run once it is decided.
  std::unordered_map<std::string, std::vector<std::function<void(bool)>>>
    writing;
  std::unordered_map<std::string, live_entry> live; ///< Analyses whose actor runs.
  /// Jobs being acquired: their journal record is on its way.
  std::unordered_set<std::string> acquiring;
  creation_order by_created;                              ///< For listing.
  std::unordered_set<std::string> creating;               ///< Ids (analysis and job) being created.
  std::unordered_set<std::string> removed;                ///< Ids of removed analyses: never reused.
  std::chrono::milliseconds idle_after{0};                ///< 0: actors never retire.
  bool sweeping = false; ///< A sweep is scheduled (only while some actor runs).
  persistence_actor journal;
  std::shared_ptr<const file_store> files;
  /// The analysis of each running actor, by actor id (for its down message).
  std::unordered_map<caf::actor_id, std::string> by_actor;
  /// Requests sent to an analysis actor and not yet answered, by actor id and
  /// ticket: if the actor dies, each is answered `unavailable` at once.
  std::unordered_map<caf::actor_id,
                     std::unordered_map<std::uint64_t, std::function<void(const caf::error&)>>>
    pending;
  std::uint64_t next_ticket = 0;
  spawn_observer on_spawn;
  /// Where analysis actors publish their views, and the jobs: `views->jobs`
  /// is the registry's one table of them (never null).
  std::shared_ptr<read_views> views;
  static inline const char* name = "registry";
};

using registry_pointer = registry_internal_actor::stateful_pointer<registry_state>;

/// The registry: authenticates every request, routes it to the analysis's
/// actor (spawning it on first use) and handles creation, job keys and
/// listing. A finalize of a dormant analysis spawns no actor: the registry
/// records it and answers itself, and the analysis stays dormant.
/// `analyses` is the recovered state. An analysis actor that got no request
/// for `idle_after` hands its state back and quits (0: never), so that a
/// million idle analyses cost their plain state, not a million actors.
///
/// Supervision: the registry monitors every analysis actor it spawns and
/// sends it its writes itself (reads are delegated: the actor answers them,
/// and one it never took is bounced), so that when an actor dies every
/// write it held is answered `unavailable` at once; the analysis then
/// goes back to dormant from its durable state (after the records the actor
/// had sent are decided) and the next request spawns a fresh actor.
///
/// Views (null: the registry makes its own): `views->jobs` is the
/// registry's table of every job, from its creation on, so that readers
/// authenticate a job without a message whether its analysis has an actor
/// or not. An acquire's key is published before the acquire is answered
/// (and the acquire is answered once the analysis's view shows the job
/// running); a remove marks its analysis's job removed before it is
/// answered. Jobs never leave the table.
registry_internal_actor::behavior_type
registry_actor_impl(registry_pointer self, state_map analyses, persistence_actor journal,
                    std::shared_ptr<const file_store> files, std::chrono::milliseconds idle_after,
                    spawn_observer on_spawn, std::shared_ptr<read_views> views);

} // namespace analysisd
