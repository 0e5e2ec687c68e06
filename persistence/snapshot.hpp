#pragma once

#include "persistence/model.hpp"
#include "persistence/storage.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

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

/// A snapshot split for folding journals into it without holding every
/// analysis (compaction): the analyses to change, decoded, and where the
/// frames of the others lie in the file's bytes.
struct snapshot_split {
  std::string bytes;                  ///< The snapshot file (empty if there is none).
  int format = current_format;
  std::uint64_t next_journal_seq = 1; ///< From its header.
  state_map kept;                     ///< The analyses `keep` named.
  /// Offset in `bytes` and size of each other analysis's whole frame.
  std::vector<std::pair<std::size_t, std::size_t>> others;
};

/// Reads `<state_dir>/snapshot` into `out.bytes`, checks its magic and takes
/// the next journal's number from its header (split_snapshot checks the
/// rest). A missing snapshot is empty, with next journal 1.
std::string read_snapshot(storage& st, const std::string& state_dir, snapshot_split& out);

/// Splits the snapshot that read_snapshot read, checking every analysis as
/// load_snapshot does (same errors, but a repeated id is found at the end):
/// each is decoded, then kept if `keep(id)`, else only its frame's place is
/// remembered. A snapshot of an older format keeps every analysis (its
/// frames cannot go into one of this format as they are).
std::string split_snapshot(snapshot_split& split,
                           const std::function<bool(const std::string&)>& keep);

/// Writes `split` as the snapshot, as write_snapshot does: the
/// other analyses' frames as they were, then the kept analyses encoded.
std::error_code write_split_snapshot(storage& st, const std::string& state_dir,
                                     const snapshot_split& split, std::uint64_t next_journal_seq);

} // namespace analysisd
