#pragma once

/// What makes a directory a data dir of this build: its lock (one server per
/// data dir) and its format file (which layout its state files have).

#include "persistence/storage.hpp"

#include <memory>
#include <string>

namespace analysisd {

/// An exclusive flock on `<data-dir>/lock`, held until destroyed (or until
/// the process dies: the kernel releases it, so no stale lock outlives its
/// server). The file holds the PID of the holder.
class data_dir_lock {
public:
  /// Takes the lock on the real file system, without waiting. On failure
  /// returns null and sets `error`: the data dir and, when another process
  /// holds the lock, its PID.
  static std::unique_ptr<data_dir_lock> acquire(const std::string& data_dir, std::string& error);

  ~data_dir_lock();
  data_dir_lock(const data_dir_lock&) = delete;
  data_dir_lock& operator=(const data_dir_lock&) = delete;

private:
  explicit data_dir_lock(int fd) : fd_(fd) {
  }
  int fd_;
};

/// The name of the format file inside the data dir.
constexpr const char* format_file_name = "format";

/// Present in a backup until it is whole and durable (persistence/backup.*):
/// a server refuses to start on a data dir that holds it, since a crash or a
/// stop that interrupted the backup may have left it without files.
constexpr const char* unfinished_backup_file_name = "BACKUP-UNFINISHED";

/// Reads the data dir's format: 0 when it has no format file yet (a new data
/// dir, or one of analysisd 0.1, which wrote none: its state files say format
/// 1 themselves). Returns an error message for a format file that cannot be
/// read or parsed, or that names a format newer than current_format; then
/// nothing may be changed.
std::string read_data_dir_format(storage& st, const std::string& data_dir, int& format);

/// Writes the format file for current_format (with this build's version)
/// atomically: temporary file, fsync, rename, fsync of the data dir.
std::string write_data_dir_format(storage& st, const std::string& data_dir);

} // namespace analysisd
