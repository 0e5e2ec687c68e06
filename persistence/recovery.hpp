#pragma once

#include "persistence/journal.hpp"
#include "persistence/model.hpp"
#include "persistence/storage.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace analysisd {

/// Applies one record to `state`. Returns false and changes nothing if the
/// record does not fit (its analysis is missing or removed, or its id is
/// taken for a `created`). `removed` leaves a tombstone (see analysis_state).
bool apply(state_map& state, journal_record&& rec);

/// Applies a change (every kind but `created`) to the analysis it names: what
/// recovery replays and what an analysis actor does once its record is
/// durable, so that both always agree. Returns false and changes nothing if
/// the record names another analysis, is a `created`, or `a` is a tombstone.
bool apply(analysis_state& a, journal_record&& rec);

/// What recovery found.
struct recovery_report {
  state_map analyses;
  std::uint64_t next_journal_seq = 1; ///< The number for the journal to write next.
  std::size_t snapshot_analyses = 0;
  std::size_t journal_records = 0;    ///< Records replayed.
  std::size_t skipped_records = 0;    ///< Records that did not fit the state.
  std::vector<std::string> damage;    ///< What was cut off, one line each.
  /// False when --repair set state aside (more than a torn tail): what the
  /// state does not name may then be named by what was set aside.
  bool complete = true;
  /// The oldest format among the state files read (current_format if none):
  /// below current_format, the state should be rewritten (migrated).
  int oldest_format = current_format;
  double seconds = 0;
};

/// Loads the snapshot and replays every journal after it, in order (files of
/// every format up to current_format). Only what a crash of the journal
/// writer leaves is repaired by itself: a torn tail of the newest journal is
/// cut back to its last whole record, the cut bytes moved to
/// `<state_dir>/quarantine/`, and the loss reported in `damage`. Any other
/// damage (a bad snapshot, a journal's header, a record with data behind it)
/// stops recovery with a message saying what to do, unless `repair` is set:
/// then the damaged part and every later journal go to the quarantine and
/// recovery goes on with what precedes them. A state file of a newer format
/// always stops it. Returns an empty string on success, else why the state
/// cannot be trusted; nothing was changed then.
std::string recover(storage& st, const std::string& state_dir, recovery_report& out,
                    bool repair = false);

/// Folds the snapshot and every journal numbered below `upto` into a new
/// snapshot, then deletes those journals. Safe to run while journal `upto`
/// (or later) is being written. Returns an empty string on success.
std::string compact(storage& st, const std::string& state_dir, std::uint64_t upto);

} // namespace analysisd
