#pragma once

#include "persistence/model.hpp"
#include "persistence/storage.hpp"

#include <cstdint>
#include <string>

namespace analysisd {

/// The snapshot's file name inside the state directory.
constexpr const char* snapshot_file_name = "snapshot";

/// The 8 bytes that start every snapshot file this build writes.
extern const std::string snapshot_magic;

/// Writes every analysis to `<state_dir>/snapshot` durably: a temporary file,
/// fsync, rename over the old snapshot, fsync of the directory. On error the
/// old snapshot is untouched and no temporary file remains.
/// `next_journal_seq` is the first journal that is not folded into it.
std::error_code write_snapshot(storage& st, const std::string& state_dir, const state_map& state,
                               std::uint64_t next_journal_seq);

/// Loads `<state_dir>/snapshot` into `state`. A missing snapshot is an empty
/// state with `next_journal_seq` 1. Returns an empty string on success, else
/// what is wrong (unreadable, torn, corrupt): a snapshot is written
/// atomically, so damage to it means the disk lost data, and it is never
/// loaded in part. Snapshots of every format up to current_format load;
/// `format`, if given, is set to the one this snapshot has (0 if none; above
/// current_format, with an error, for a snapshot of a newer format).
/// With `two_threads` (a start, which has the machine to itself), a snapshot
/// past a few MiB is decoded by two threads side by side, with the same
/// results; background work (compaction, backups) leaves it off.
std::string load_snapshot(storage& st, const std::string& state_dir, state_map& state,
                          std::uint64_t& next_journal_seq, int* format = nullptr,
                          bool two_threads = false);

/// Decodes a snapshot image held in memory (what load_snapshot does after
/// reading the file). Same results as load_snapshot.
std::string decode_snapshot(const std::string& bytes, state_map& state,
                            std::uint64_t& next_journal_seq, int* format = nullptr,
                            bool two_threads = false);

} // namespace analysisd
