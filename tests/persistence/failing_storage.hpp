#pragma once

// A storage that forwards to the real file system but fails the calls a test
// chooses (LevelDB's fault-injection Env): a full disk on append, EIO on sync
// or on a directory sync.

#include "persistence/forwarding_storage.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <system_error>

namespace analysisd::test {

struct failure_plan {
  /// Error for the next append; with `partial_append`, half of the bytes are
  /// written first (a write that ran out of space midway).
  std::error_code append_error;
  std::error_code write_at_error; ///< As append_error, for the next write_at.
  bool partial_append = true;
  std::error_code sync_error;       ///< Error for the next file sync.
  std::error_code truncate_error;   ///< Error for the next file truncate.
  std::error_code link_error;       ///< Error for the next link.
  std::error_code sync_dir_error;   ///< Error for the next directory sync.
  int appends = 0;                  ///< Calls seen (appends and write_ats), for the test to check.
  int syncs = 0;
  int truncates = 0;
  int dir_syncs = 0;
};

class failing_file : public forwarding_file {
public:
  failing_file(std::unique_ptr<writable_file> inner, failure_plan& plan)
    : forwarding_file(std::move(inner)), plan_(plan) {
  }

  std::error_code append(const char* data, std::size_t size) override {
    return write_or_fail(plan_.append_error, data, size,
                         [&](const char* d, std::size_t n) { return inner().append(d, n); });
  }

  std::error_code write_at(std::uint64_t offset, const char* data, std::size_t size) override {
    return write_or_fail(plan_.write_at_error, data, size, [&](const char* d, std::size_t n) {
      return inner().write_at(offset, d, n);
    });
  }

  std::error_code sync() override {
    ++plan_.syncs;
    if (plan_.sync_error) {
      auto ec = plan_.sync_error;
      plan_.sync_error.clear();
      return ec;
    }
    return inner().sync();
  }

  std::error_code truncate(std::uint64_t size) override {
    ++plan_.truncates;
    if (plan_.truncate_error) {
      auto ec = plan_.truncate_error;
      plan_.truncate_error.clear();
      return ec;
    }
    return inner().truncate(size);
  }

private:
  // Writes with `write`, or fails with `planned` once (half of the bytes
  // first, with partial_append).
  template <class Write>
  std::error_code write_or_fail(std::error_code& planned, const char* data, std::size_t size,
                                Write write) {
    ++plan_.appends;
    if (planned) {
      auto ec = planned;
      planned.clear();
      if (plan_.partial_append && size > 1)
        write(data, size / 2);
      return ec;
    }
    return write(data, size);
  }

  failure_plan& plan_;
};

/// Forwards to `inner` (the real file system unless told otherwise) and fails
/// the calls that `plan` names, once each.
class failing_storage : public forwarding_storage {
public:
  failure_plan plan;

  explicit failing_storage(storage& inner = posix_storage()) : forwarding_storage(inner) {
  }

  std::error_code create_exclusive(const std::string& path,
                                   std::unique_ptr<writable_file>& out) override {
    std::unique_ptr<writable_file> file;
    if (auto ec = forwarding_storage::create_exclusive(path, file))
      return ec;
    out = std::make_unique<failing_file>(std::move(file), plan);
    return {};
  }
  std::error_code link(const std::string& from, const std::string& to) override {
    if (plan.link_error) {
      auto ec = plan.link_error;
      plan.link_error.clear();
      return ec;
    }
    return forwarding_storage::link(from, to);
  }
  std::error_code sync_dir(const std::string& path) override {
    ++plan.dir_syncs;
    if (plan.sync_dir_error) {
      auto ec = plan.sync_dir_error;
      plan.sync_dir_error.clear();
      return ec;
    }
    return forwarding_storage::sync_dir(path);
  }
};

inline std::error_code enospc() {
  return std::make_error_code(std::errc::no_space_on_device);
}

inline std::error_code eio() {
  return std::make_error_code(std::errc::io_error);
}

} // namespace analysisd::test
