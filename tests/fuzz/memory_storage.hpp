#pragma once

// The storage interface over a map of paths to bytes, so that recovery runs
// thousands of times a second on fuzzed files without touching the disk.

#include "persistence/storage.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace analysisd::fuzz {

class memory_storage : public storage {
public:
  std::map<std::string, std::string> files;
  std::set<std::string> dirs;

  class file : public writable_file {
  public:
    file(memory_storage& st, std::string path) : st_(st), path_(std::move(path)) {
    }
    std::error_code append(const char* data, std::size_t size) override {
      auto ec = write_at(position_, data, size);
      if (!ec)
        position_ += size;
      return ec;
    }
    std::error_code write_at(std::uint64_t offset, const char* data, std::size_t size) override {
      if (closed_)
        return std::make_error_code(std::errc::bad_file_descriptor);
      auto& bytes = st_.files[path_];
      if (bytes.size() < offset + size)
        bytes.resize(offset + size);
      bytes.replace(offset, size, data, size);
      return {};
    }
    std::error_code sync() override {
      return closed_ ? std::make_error_code(std::errc::bad_file_descriptor) : std::error_code{};
    }
    std::error_code truncate(std::uint64_t size) override {
      if (closed_)
        return std::make_error_code(std::errc::bad_file_descriptor);
      st_.files[path_].resize(size);
      position_ = size;
      return {};
    }
    std::error_code close() override {
      closed_ = true;
      return {};
    }

  private:
    memory_storage& st_;
    std::string path_;
    std::uint64_t position_ = 0;
    bool closed_ = false;
  };

  std::error_code create_exclusive(const std::string& path,
                                   std::unique_ptr<writable_file>& out) override {
    if (exists(path))
      return std::make_error_code(std::errc::file_exists);
    if (!dirs.count(parent(path)))
      return std::make_error_code(std::errc::no_such_file_or_directory);
    files[path];
    out = std::make_unique<file>(*this, path);
    return {};
  }
  std::error_code read_all(const std::string& path, std::string& out) override {
    auto i = files.find(path);
    if (i == files.end())
      return std::make_error_code(std::errc::no_such_file_or_directory);
    out = i->second;
    return {};
  }
  std::error_code rename(const std::string& from, const std::string& to) override {
    auto i = files.find(from);
    if (i == files.end())
      return std::make_error_code(std::errc::no_such_file_or_directory);
    if (!dirs.count(parent(to)))
      return std::make_error_code(std::errc::no_such_file_or_directory);
    auto bytes = std::move(i->second);
    files.erase(i);
    files[to] = std::move(bytes);
    return {};
  }
  std::error_code link(const std::string& from, const std::string& to) override {
    auto i = files.find(from);
    if (i == files.end())
      return std::make_error_code(std::errc::no_such_file_or_directory);
    if (exists(to))
      return std::make_error_code(std::errc::file_exists);
    files[to] = i->second; // a copy: nothing here writes to linked files
    return {};
  }
  std::error_code remove(const std::string& path) override {
    files.erase(path);
    return {};
  }
  std::error_code remove_all(const std::string& path) override {
    for (auto i = files.begin(); i != files.end();)
      i = i->first.compare(0, path.size() + 1, path + "/") == 0 ? files.erase(i) : std::next(i);
    for (auto i = dirs.begin(); i != dirs.end();)
      i = (*i == path || i->compare(0, path.size() + 1, path + "/") == 0) ? dirs.erase(i)
                                                                          : std::next(i);
    files.erase(path);
    return {};
  }
  std::error_code create_dir(const std::string& path) override {
    if (files.count(path))
      return std::make_error_code(std::errc::file_exists);
    dirs.insert(path);
    return {};
  }
  std::error_code sync_dir(const std::string& path) override {
    return dirs.count(path) ? std::error_code{}
                            : std::make_error_code(std::errc::no_such_file_or_directory);
  }
  std::error_code list_dir(const std::string& path, std::vector<std::string>& names) override {
    if (!dirs.count(path))
      return std::make_error_code(std::errc::no_such_file_or_directory);
    names.clear();
    for (auto& [p, bytes] : files)
      if (parent(p) == path)
        names.push_back(p.substr(path.size() + 1));
    for (auto& d : dirs)
      if (d != path && parent(d) == path)
        names.push_back(d.substr(path.size() + 1));
    return {};
  }
  bool exists(const std::string& path) override {
    return files.count(path) != 0 || dirs.count(path) != 0;
  }
  bool is_directory(const std::string& path) override {
    return dirs.count(path) != 0; // no links in memory
  }
  std::error_code truncate(const std::string& path, std::uint64_t size) override {
    auto i = files.find(path);
    if (i == files.end())
      return std::make_error_code(std::errc::no_such_file_or_directory);
    i->second.resize(size);
    return {};
  }
  std::error_code sync_file(const std::string& path) override {
    return files.count(path) ? std::error_code{}
                             : std::make_error_code(std::errc::no_such_file_or_directory);
  }

private:
  static std::string parent(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
  }
};

} // namespace analysisd::fuzz
