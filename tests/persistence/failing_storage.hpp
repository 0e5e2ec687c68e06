#pragma once

// A storage that forwards to the real file system but fails the calls a test
// chooses (LevelDB's fault-injection Env): a full disk on append, EIO on sync.

#include "persistence/storage.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <system_error>

namespace analysisd::test {

struct failure_plan {
  /// Error for the next append; with `partial_append`, half of the bytes are
  /// written first (a write that ran out of space midway).
  std::error_code append_error;
  bool partial_append = true;
  std::error_code sync_error;       ///< Error for the next file sync.
  std::error_code truncate_error;   ///< Error for the next file truncate.
  std::error_code link_error;       ///< Error for the next link.
  int appends = 0;                  ///< Calls seen, for the test to check.
  int syncs = 0;
  int truncates = 0;
};

class failing_file : public writable_file {
public:
  failing_file(std::unique_ptr<writable_file> inner, failure_plan& plan)
    : inner_(std::move(inner)), plan_(plan) {
  }

  std::error_code append(const char* data, std::size_t size) override {
    ++plan_.appends;
    if (plan_.append_error) {
      auto ec = plan_.append_error;
      plan_.append_error.clear();
      if (plan_.partial_append && size > 1)
        inner_->append(data, size / 2);
      return ec;
    }
    return inner_->append(data, size);
  }

  std::error_code sync() override {
    ++plan_.syncs;
    if (plan_.sync_error) {
      auto ec = plan_.sync_error;
      plan_.sync_error.clear();
      return ec;
    }
    return inner_->sync();
  }

  std::error_code truncate(std::uint64_t size) override {
    ++plan_.truncates;
    if (plan_.truncate_error) {
      auto ec = plan_.truncate_error;
      plan_.truncate_error.clear();
      return ec;
    }
    return inner_->truncate(size);
  }

  std::error_code close() override {
    return inner_->close();
  }

private:
  std::unique_ptr<writable_file> inner_;
  failure_plan& plan_;
};

class failing_storage : public storage {
public:
  failure_plan plan;

  std::error_code create_exclusive(const std::string& path,
                                   std::unique_ptr<writable_file>& out) override {
    std::unique_ptr<writable_file> inner;
    if (auto ec = real().create_exclusive(path, inner))
      return ec;
    out = std::make_unique<failing_file>(std::move(inner), plan);
    return {};
  }
  std::error_code read_all(const std::string& path, std::string& out) override {
    return real().read_all(path, out);
  }
  std::error_code rename(const std::string& from, const std::string& to) override {
    return real().rename(from, to);
  }
  std::error_code link(const std::string& from, const std::string& to) override {
    if (plan.link_error) {
      auto ec = plan.link_error;
      plan.link_error.clear();
      return ec;
    }
    return real().link(from, to);
  }
  std::error_code remove(const std::string& path) override {
    return real().remove(path);
  }
  std::error_code remove_all(const std::string& path) override {
    return real().remove_all(path);
  }
  std::error_code create_dir(const std::string& path) override {
    return real().create_dir(path);
  }
  std::error_code sync_dir(const std::string& path) override {
    return real().sync_dir(path);
  }
  std::error_code list_dir(const std::string& path, std::vector<std::string>& names) override {
    return real().list_dir(path, names);
  }
  bool exists(const std::string& path) override {
    return real().exists(path);
  }
  bool is_directory(const std::string& path) override {
    return real().is_directory(path);
  }
  std::error_code truncate(const std::string& path, std::uint64_t size) override {
    return real().truncate(path, size);
  }

private:
  static storage& real() {
    return posix_storage();
  }
};

inline std::error_code enospc() {
  return std::make_error_code(std::errc::no_space_on_device);
}

inline std::error_code eio() {
  return std::make_error_code(std::errc::io_error);
}

} // namespace analysisd::test
