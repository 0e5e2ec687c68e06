#pragma once

/// A consistent copy of a data dir into a new directory, made while its
/// server runs (the persistence actor drives the steps) or while it is
/// stopped (`analysisd backup`). The result is a data dir a server starts on
/// directly: the format file, `state/snapshot` holding every record of the
/// journals below a chosen number, the uploaded files that the snapshot
/// names (hard links where the destination is on the data dir's file system,
/// copies elsewhere), and the admin token file if the data dir has one.
/// Never a temporary upload file, a journal being written, or the lock.

#include "persistence/storage.hpp"

#include <caf/meta/type_name.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_set>

namespace analysisd {

/// What a backup holds, for its requester.
struct backup_report {
  std::string path;               ///< The backup's directory.
  std::uint64_t analyses = 0;     ///< Analyses in it (removed ones not counted).
  std::uint64_t files = 0;        ///< Uploaded files in it.
  std::uint64_t bytes = 0;        ///< Their total size.
  std::uint64_t linked = 0;       ///< Files hard-linked (same file system).
  std::uint64_t copied = 0;       ///< Files copied (another file system).
  std::uint64_t missing = 0;      ///< File records whose bytes the data dir lacked too.
  std::uint64_t journal_seq = 0;  ///< It holds every record of the journals below this.
  bool admin_token = false;       ///< `<dest>/admin-token` was copied.
  double seconds = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, backup_report& x) {
  return f(caf::meta::type_name("backup_report"), x.path, x.analyses, x.files, x.bytes, x.linked,
           x.copied, x.missing, x.journal_seq, x.admin_token, x.seconds);
}

/// Why a backup step failed.
enum class backup_fault {
  none,
  bad_path,  ///< The destination cannot be used (not absolute, no parent, inside the data dir, ...).
  not_empty, ///< The destination exists and is not an empty directory.
  disk_full, ///< No space left where the backup goes.
  failed,    ///< Another I/O error (the message says which).
};

struct backup_error {
  backup_fault fault = backup_fault::none;
  std::string message;
  explicit operator bool() const {
    return fault != backup_fault::none;
  }
};

/// One backup, in three steps: open() (check and create the destination),
/// pin() (hard links to the state files and the uploaded files, fast enough
/// to run while no journal record may become durable), finish() (fold the
/// journals into a snapshot, drop what the snapshot does not name, copy
/// across file systems, write the format file, fsync everything). After an
/// error, or if destroyed before finish() succeeded, what the job made is
/// removed again (the destination itself only if the job created it).
/// Not thread-safe: one caller at a time, any thread (the steps block).
class backup_job {
public:
  backup_job(std::string data_dir, std::string dest, storage& st = posix_storage());
  ~backup_job();
  backup_job(const backup_job&) = delete;
  backup_job& operator=(const backup_job&) = delete;

  /// Checks the destination (absolute, outside the data dir, absent or an
  /// empty directory), creates it (mode 0700) and finds out whether hard
  /// links reach it from the data dir. Errors: bad_path, not_empty, failed.
  backup_error open();

  /// Pins the state as of journal `upto`: links `state/snapshot`, every
  /// journal numbered below `upto` and every committed uploaded file (not
  /// the temporary files of uploads in flight). The caller guarantees that
  /// meanwhile no journal record becomes durable (so no file that a pinned
  /// record names is deleted), no compaction runs and journals below `upto`
  /// are no longer written. Errors: disk_full, failed.
  backup_error pin(std::uint64_t upto);

  /// Makes the pinned state a data dir; runs while the server goes on.
  /// Errors: disk_full, failed.
  backup_error finish(backup_report& out);

  /// Removes what the job made. Idempotent; finish() leaves nothing to remove.
  void abandon();

  /// The next journal number of a stopped server's data dir: one past its
  /// newest journal (what an offline backup pins). Sets `error` on failure.
  static std::uint64_t next_journal_seq(storage& st, const std::string& data_dir,
                                        std::string& error);

  /// The directory that pin() fills when the destination is on another file
  /// system, inside the data dir's state/ (the server removes one left
  /// behind by a crash at start).
  static constexpr const char* staging_name = "backup.staging";

private:
  backup_error link_or_copy(const std::string& from, const std::string& to, bool& copied);
  backup_error finish_steps(backup_report& out);

  storage& st_;
  std::string data_dir_;
  std::string dest_;
  std::string pin_root_;     ///< dest_, or the staging directory.
  bool staging_ = false;
  bool opened_ = false;
  bool created_dest_ = false;
  bool done_ = false;
  std::uint64_t upto_ = 0;
  /// "<id>/<name on disk>" of the files the pin copied (links failed).
  std::unordered_set<std::string> copied_;
  std::chrono::steady_clock::time_point started_;
};

} // namespace analysisd
