#pragma once

#include "persistence/storage.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace analysisd {

/// A writable_file that forwards every call to an inner file (LevelDB's
/// EnvWrapper, for files): a fake overrides only the calls it changes.
/// Owns the inner file. Not thread-safe, as writable_file.
class forwarding_file : public writable_file {
public:
  explicit forwarding_file(std::unique_ptr<writable_file> inner) : inner_(std::move(inner)) {
  }

  std::error_code append(const char* data, std::size_t size) override {
    return inner_->append(data, size);
  }
  std::error_code write_at(std::uint64_t offset, const char* data, std::size_t size) override {
    return inner_->write_at(offset, data, size);
  }
  std::error_code sync() override {
    return inner_->sync();
  }
  void start_writeback() override {
    inner_->start_writeback();
  }
  std::error_code truncate(std::uint64_t size) override {
    return inner_->truncate(size);
  }
  std::error_code close() override {
    return inner_->close();
  }

  writable_file& inner() {
    return *inner_;
  }

private:
  std::unique_ptr<writable_file> inner_;
};

/// A storage that forwards every call to an inner storage (LevelDB's
/// EnvWrapper): every test fake extends it and overrides only the calls it
/// changes, so that a new storage call needs one forwarder here, not one per
/// fake. Does not own the inner storage, which must outlive it. As
/// thread-safe as the inner storage.
class forwarding_storage : public storage {
public:
  explicit forwarding_storage(storage& inner) : inner_(inner) {
  }

  std::error_code create_exclusive(const std::string& path,
                                   std::unique_ptr<writable_file>& out) override {
    return inner_.create_exclusive(path, out);
  }
  std::error_code read_all(const std::string& path, std::string& out) override {
    return inner_.read_all(path, out);
  }
  std::error_code rename(const std::string& from, const std::string& to) override {
    return inner_.rename(from, to);
  }
  std::error_code link(const std::string& from, const std::string& to) override {
    return inner_.link(from, to);
  }
  std::error_code remove(const std::string& path) override {
    return inner_.remove(path);
  }
  std::error_code remove_all(const std::string& path) override {
    return inner_.remove_all(path);
  }
  std::error_code create_dir(const std::string& path) override {
    return inner_.create_dir(path);
  }
  std::error_code sync_dir(const std::string& path) override {
    return inner_.sync_dir(path);
  }
  std::error_code list_dir(const std::string& path, std::vector<std::string>& names) override {
    return inner_.list_dir(path, names);
  }
  bool exists(const std::string& path) override {
    return inner_.exists(path);
  }
  bool is_directory(const std::string& path) override {
    return inner_.is_directory(path);
  }
  std::error_code truncate(const std::string& path, std::uint64_t size) override {
    return inner_.truncate(path, size);
  }
  std::error_code sync_file(const std::string& path) override {
    return inner_.sync_file(path);
  }

  storage& inner() {
    return inner_;
  }

private:
  storage& inner_;
};

} // namespace analysisd
