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

/// What the registry knows of one analysis. Its state lives here (`dormant`)
/// until the first request for it spawns its actor, which then owns it until
/// it has been idle for a while and hands it back (retires).
struct registry_entry {
  analysis_actor actor;
  std::unique_ptr<analysis_state> dormant;
  timestamp created_at = 0;
  std::chrono::steady_clock::time_point last_used;
  bool retiring = false; ///< The actor was asked to hand its state back.
  /// Requests that came while retiring, run when it ends (with nullptr if the
  /// analysis was removed meanwhile).
  std::vector<std::function<void(registry_entry*)>> waiting;
};

struct job_entry {
  std::string analysis_id;
  std::string key_hash;   ///< Empty until acquired.
  bool acquiring = false; ///< An acquire waits for its journal record.
};

struct registry_state {
  std::unordered_map<std::string, registry_entry> analyses;
  std::unordered_map<std::string, job_entry> jobs;
  std::set<std::pair<timestamp, std::string>> by_created; ///< For listing, newest last.
  std::unordered_set<std::string> creating;               ///< Ids (analysis and job) being created.
  std::unordered_set<std::string> removed;                ///< Ids of removed analyses: never reused.
  std::unordered_set<std::string> live;                   ///< Ids whose actor runs.
  std::chrono::milliseconds idle_after{0};                ///< 0: actors never retire.
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
