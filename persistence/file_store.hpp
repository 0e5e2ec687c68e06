#pragma once

#include "persistence/model.hpp"
#include "persistence/storage.hpp"

#include <string>
#include <vector>

namespace analysisd {

/// The uploaded bytes under `<data_dir>/analyses/<analysis_id>/<file_id>-<name>`.
/// Thread-safe (it holds no state but paths).
class file_store {
public:
  file_store(storage& st, std::string data_dir);

  std::string analysis_dir(const std::string& analysis_id) const;

  std::string file_path(const std::string& analysis_id, const file_record& file) const;

  /// Writes `size` bytes durably under the file's final name: the analysis
  /// directory made if needed and its entry fsynced (always, whoever made
  /// it), a temporary file created with O_EXCL|O_NOFOLLOW, fdatasync, link to
  /// the final name (never replacing anything), fsync of the directory. On
  /// error no file remains, neither temporary nor final.
  std::error_code write(const std::string& analysis_id, const file_record& file,
                        const char* data, std::size_t size) const;

  /// The steps of write() for bytes that arrive in pieces. begin_upload makes
  /// the directories durable and creates the temporary file into `out`;
  /// append to it; finish_upload makes it durable under its final name;
  /// discard_upload drops it. After an error of begin_upload or
  /// finish_upload, no file remains. Each upload is one caller's at a time.
  std::error_code begin_upload(const std::string& analysis_id, const file_record& file,
                               std::unique_ptr<writable_file>& out) const;
  std::error_code finish_upload(const std::string& analysis_id, const file_record& file,
                                std::unique_ptr<writable_file>& out) const;
  void discard_upload(const std::string& analysis_id, const file_record& file,
                      std::unique_ptr<writable_file>& out) const;

  /// Removes one file durably (missing is not an error).
  std::error_code remove(const std::string& analysis_id, const file_record& file) const;

  /// Removes the bytes of an upload that will never be committed (the blob
  /// janitor, for an expired reservation): its temporary file and, if one
  /// exists, the final file of that id and name; then fsyncs the analysis
  /// directory. Missing files are not an error. invalid_argument if the
  /// analysis id is not a plain name (no such upload can have bytes here);
  /// a name that is not plain has only its temporary file removed.
  std::error_code remove_upload(const std::string& analysis_id, std::uint64_t file_id,
                                const std::string& name) const;

  /// Removes an analysis's directory with every file in it.
  std::error_code remove_analysis(const std::string& analysis_id) const;

  /// Start-up cleanup, with `state` completely read. Deletes only what it
  /// proves to be garbage: the temporary files of uploads in flight, the
  /// directories of analyses whose removal is recorded, and a file inside a
  /// known analysis that no record names. Anything else under `analyses/`
  /// (a directory no record names at all, a link, a directory inside an
  /// analysis) can only come from state it did not read: it is moved to
  /// `<data_dir>/state/quarantine/`, never deleted. Without `complete` (the
  /// state was repaired: records were set aside), an unnamed file inside a
  /// known analysis is moved there too, since a record set aside may name
  /// it. Returns one line per path removed or moved and per record whose
  /// bytes are missing, for the log.
  std::vector<std::string> cleanup(const state_map& state, bool complete = true) const;

private:
  std::string partial_path(const std::string& analysis_id, const file_record& file) const;
  std::string quarantine(const std::string& path, const std::string& name) const;

  storage& st_;
  std::string root_;
  std::string quarantine_;
};

} // namespace analysisd
