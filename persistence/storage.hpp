#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace analysisd {

/// A file open for writing. Not thread-safe: one owner at a time.
class writable_file {
public:
  virtual ~writable_file() = default;
  /// Writes all of `data` at the file's position (where the last append
  /// or truncate ended) and moves it past them; returns the first error
  /// (ENOSPC, EIO, ...).
  virtual std::error_code append(const char* data, std::size_t size) = 0;
  /// Writes all of `data` at `offset`, the file growing if it is shorter
  /// (pwrite); the position that append() writes at stays.
  virtual std::error_code write_at(std::uint64_t offset, const char* data, std::size_t size) = 0;
  /// fdatasync: returns once the bytes written so far are durable.
  virtual std::error_code sync() = 0;
  /// Starts writing the bytes written so far to the disk, without waiting
  /// for them: a hint that makes a later sync() shorter (durability still
  /// needs it). By default nothing.
  virtual void start_writeback() {
  }
  /// Cuts the file back to `size` bytes and continues writing there.
  virtual std::error_code truncate(std::uint64_t size) = 0;
  /// Closes the file; further calls are errors.
  virtual std::error_code close() = 0;
};

/// Everything the persistence layer asks of the file system (LevelDB's Env):
/// tests put a failing or full disk under it. Implementations are thread-safe.
/// Every function returns a default (empty) error_code on success.
class storage {
public:
  virtual ~storage() = default;
  /// Creates a new file with O_EXCL|O_NOFOLLOW and mode 0600; fails if
  /// anything (a file or a link) exists at `path`.
  virtual std::error_code create_exclusive(const std::string& path,
                                           std::unique_ptr<writable_file>& out) = 0;
  /// Reads the whole file into `out`.
  virtual std::error_code read_all(const std::string& path, std::string& out) = 0;
  /// Atomically replaces `to` with `from`.
  virtual std::error_code rename(const std::string& from, const std::string& to) = 0;
  /// Gives `from` the second name `to`, failing with EEXIST if `to` exists.
  virtual std::error_code link(const std::string& from, const std::string& to) = 0;
  /// Removes one file; a missing file is not an error.
  virtual std::error_code remove(const std::string& path) = 0;
  /// Removes a directory tree; a missing one is not an error.
  virtual std::error_code remove_all(const std::string& path) = 0;
  /// Creates a directory with mode 0700; an existing directory is not an error.
  virtual std::error_code create_dir(const std::string& path) = 0;
  /// fsyncs a directory, making renames and creations inside it durable.
  virtual std::error_code sync_dir(const std::string& path) = 0;
  /// Lists the names (not paths) inside a directory.
  virtual std::error_code list_dir(const std::string& path,
                                   std::vector<std::string>& names) = 0;
  /// True if something exists at `path` (without following a final link).
  virtual bool exists(const std::string& path) = 0;
  /// True if a directory, not a link to one, is at `path`.
  virtual bool is_directory(const std::string& path) = 0;
  /// Cuts a file to `size` bytes. Not durable by itself: sync_file it.
  virtual std::error_code truncate(const std::string& path, std::uint64_t size) = 0;
  /// fsyncs the file at `path` (not a link), making its bytes and size durable.
  virtual std::error_code sync_file(const std::string& path) = 0;
};

/// The real file system. The returned object lives for the whole program.
storage& posix_storage();

/// True for the errors that mean "no space left" (ENOSPC, EDQUOT).
bool is_disk_full(const std::error_code& ec);

/// Creates the file `path` (see create_exclusive), writes `bytes` and
/// fsyncs it: the bytes are durable, its directory entry is not yet (sync
/// the directory, or rename the file into place first). On error the file
/// may be left behind, partly written.
std::error_code write_new_file(storage& st, const std::string& path, const std::string& bytes);

/// Creates the directory `path` in `st` if it is missing; ENOTDIR if what is
/// there is not a directory of its own (a link to one, say, which would take
/// what is written below it out of the data dir).
std::error_code create_own_dir(storage& st, const std::string& path);

} // namespace analysisd
