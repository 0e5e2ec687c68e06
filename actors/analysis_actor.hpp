#pragma once

#include "actors/protocol.hpp"
#include "actors/read_views.hpp"
#include "persistence/file_store.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace analysisd {

/// What an analysis actor needs of the journal: an append answered once the
/// record is durable. In one node, the persistence actor (whose watcher, the
/// registry, hears each durable record before the actor does); in a
/// cluster, the shard registry, which relays it to PostgreSQL.
using journal_actor = caf::typed_actor<caf::replies_to<append_atom, journal_record>::with<bool>>;

/// What an analysis actor holds: the document and the uploads in flight.
/// Once removed, `data` is the analysis's tombstone (data.removed).
struct analysis_actor_state {
  analysis_state data;
  /// Rendered once per change, not per GET; shared with the published view.
  std::shared_ptr<const std::string> doc;
  std::string summary;            ///< The document without results.
  bool rendered = false;          ///< doc and summary show the current data.
  /// The view shows the current data. Not at spawn: the first read or
  /// change publishes, so that an actor spawned for a write renders once.
  bool published = false;
  std::set<std::string> reserved; ///< Names being uploaded right now.
  journal_actor journal;
  std::shared_ptr<const file_store> files;
  /// The next file id this actor hands out, published after each
  /// reservation: if the actor dies, the registry starts the next one past
  /// every id whose bytes may already be on disk.
  std::shared_ptr<std::atomic<std::uint64_t>> issued_ids;
  /// Where the actor publishes its analysis's view (may be null).
  std::shared_ptr<read_views> views;
  /// Every view it publishes shares this (analysis_view::read_at).
  std::shared_ptr<std::atomic<std::int64_t>> read_at =
    std::make_shared<std::atomic<std::int64_t>>(0);
  /// Cluster mode: the lease epoch it was loaded under, stamped on its
  /// views (0 for a single node).
  std::int64_t epoch = 0;
  /// Set by a shard registry that drops this actor (kills it and withdraws
  /// its view): the actor publishes nothing more (may be null).
  std::shared_ptr<const std::atomic<bool>> dropped;
  /// The removed record is with the journal. For the continuations of uploads
  /// in flight (CAF runs response handlers whatever the behaviour): an upload
  /// whose bytes are written while a remove waits for its record is decided
  /// once the record is (404 if it is durable, committed if it failed).
  bool removing = false;
  std::vector<std::function<void()>> after_remove;
  /// The remove's answer, once its record is durable, until the files are
  /// gone (which waits for the uploads still writing).
  caf::typed_response_promise<bool> remove_promise;
  bool stop_asked = false; ///< Gone, and told to stop: quits once no upload is in flight.
  static inline const char* name = "analysis";
};

using analysis_pointer = analysis_actor::stateful_pointer<analysis_actor_state>;

/// The actor that owns one analysis. Its lifecycle is three behaviours
/// (CAF's fixed_stack example):
///   - live: serves everything. A finalize waits for its record in the
///     `finalizing` variant of live, which serves reads and uploads but holds
///     back (skips) other finalizes and removes until the first is decided, so
///     that of concurrent finalizes exactly one wins.
///   - removing: the removed record and the files' deletion are under way;
///     every request is held back (skipped) until the outcome: gone if the
///     record is durable, live again if it failed.
///   - gone: answers not_found to everything, and never quits by itself
///     (requests the registry forwarded before it forgot the analysis must
///     find an open mailbox); a retire tells it to quit once its uploads in
///     flight have ended. The registry sends that retire after it forgot the
///     analysis, so it is the last message the actor gets.
/// Uploads reserve their name, write on a detached worker and commit the
/// record when the bytes are durable, so reads never wait behind a disk
/// write. An upload whose record ended `read_only` keeps its bytes: the
/// record may be on disk (start-up cleanup removes the bytes if not).
/// Reads need no message while the actor runs: it publishes its analysis's
/// view in `views->analyses` at its first read and after every change, before
/// the change is answered, and withdraws it when the analysis is removed
/// (once the removal is durable) and when it hands its state back. In a
/// cluster (`views->leases` set), a change is answered only once the read
/// leases other nodes hold on the analysis are revoked or over
/// (actors/read_leases.hpp). `issued_ids` and `views` may be null; `epoch`
/// is the lease epoch a cluster's shard registry loaded it under (0 else).
analysis_actor::behavior_type analysis_actor_impl(analysis_pointer self, analysis_state data,
                                                  journal_actor journal,
                                                  std::shared_ptr<const file_store> files,
                                                  std::shared_ptr<std::atomic<std::uint64_t>> issued_ids,
                                                  std::shared_ptr<read_views> views,
                                                  std::shared_ptr<const std::atomic<bool>> dropped,
                                                  std::int64_t epoch);

} // namespace analysisd
