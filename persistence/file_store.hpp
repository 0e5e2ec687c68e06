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

  /// Removes one file durably (missing is not an error).
  std::error_code remove(const std::string& analysis_id, const file_record& file) const;

  /// Removes an analysis's directory with every file in it.
  std::error_code remove_analysis(const std::string& analysis_id) const;

  /// Start-up cleanup: removes every file and directory under `analyses/`
  /// that no record in `state` names (half-written uploads, files of removed
  /// analyses). Returns one line per removed path and per record whose bytes
  /// are missing, for the log.
  std::vector<std::string> cleanup(const state_map& state) const;

private:
  storage& st_;
  std::string root_;
};

} // namespace analysisd
