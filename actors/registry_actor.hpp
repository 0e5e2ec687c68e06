#pragma once

#include "actors/protocol.hpp"
#include "persistence/file_store.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace analysisd {

/// An analysis whose actor runs. Its state left `registry_state::dormant` for
/// the actor when the actor was spawned, and goes back there when the actor
/// has been idle for a while and hands it back (retires).
struct live_entry {
  analysis_actor actor;
  timestamp created_at = 0;
  std::chrono::steady_clock::time_point last_used;
  bool retiring = false; ///< The actor was asked to hand its state back.
  /// Requests that came while retiring, run when it ends (with false if the
  /// analysis was removed meanwhile).
  std::vector<std::function<void(bool)>> waiting;
};

struct job_entry {
  std::string analysis_id;
  std::string key_hash;   ///< Empty until acquired.
  bool acquiring = false; ///< An acquire waits for its journal record.
};

/// Every analysis is in exactly one of `dormant` and `live`.
struct registry_state {
  /// Analyses without an actor, by id: recovery's map itself, taken over
  /// whole, so that a million analyses cost no copy and no second table.
  state_map dormant;
  std::unordered_map<std::string, live_entry> live; ///< Analyses whose actor runs.
  std::unordered_map<std::string, job_entry> jobs;
  std::set<std::pair<timestamp, std::string>> by_created; ///< For listing, newest last.
  std::unordered_set<std::string> creating;               ///< Ids (analysis and job) being created.
  std::unordered_set<std::string> removed;                ///< Ids of removed analyses: never reused.
  std::chrono::milliseconds idle_after{0};                ///< 0: actors never retire.
  bool sweeping = false; ///< A sweep is scheduled (only while some actor runs).
  persistence_actor journal;
  std::shared_ptr<const file_store> files;
  static inline const char* name = "registry";
};

using registry_pointer = registry_actor::stateful_pointer<registry_state>;

/// The registry: authenticates every request, routes it to the analysis's
/// actor (spawning it on first use) and handles creation, job keys and
/// listing. `analyses` is the recovered state. An analysis actor that got no
/// request for `idle_after` hands its state back and quits (0: never), so
/// that a million idle analyses cost their plain state, not a million actors.
registry_actor::behavior_type registry_actor_impl(registry_pointer self, state_map analyses,
                                                  persistence_actor journal,
                                                  std::shared_ptr<const file_store> files,
                                                  std::chrono::milliseconds idle_after);

} // namespace analysisd
