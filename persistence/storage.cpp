#include "persistence/storage.hpp"

#include <boost/filesystem.hpp>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace analysisd {

namespace fs = boost::filesystem;

namespace {

std::error_code last_error() {
  return {errno, std::generic_category()};
}

std::error_code from_boost(const boost::system::error_code& ec) {
  if (!ec)
    return {};
  return {ec.value(), std::generic_category()};
}

// Opens `path` read-only with `flags` and fsyncs it.
std::error_code fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  if (fd < 0)
    return last_error();
  std::error_code ec;
  if (::fsync(fd) != 0)
    ec = last_error();
  ::close(fd);
  return ec;
}

class posix_file : public writable_file {
public:
  explicit posix_file(int fd) : fd_(fd) {
  }

  ~posix_file() override {
    if (fd_ >= 0)
      ::close(fd_);
  }

  void start_writeback() override {
    // Dirty pages of the whole file not yet under write-out (a hint: errors
    // show at sync()).
    (void) ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
  }

  std::error_code append(const char* data, std::size_t size) override {
    return write_all(data, size, nullptr);
  }

  std::error_code write_at(std::uint64_t offset, const char* data, std::size_t size) override {
    return write_all(data, size, &offset);
  }

  std::error_code sync() override {
    return ::fdatasync(fd_) == 0 ? std::error_code{} : last_error();
  }

  std::error_code truncate(std::uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
      return last_error();
    if (::lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0)
      return last_error();
    return {};
  }

  std::error_code close() override {
    int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? std::error_code{} : last_error();
  }

private:
  // Writes all of `data`: at the file's position, or at `*offset` (moved on).
  std::error_code write_all(const char* data, std::size_t size, std::uint64_t* offset) {
    while (size > 0) {
      auto n = offset ? ::pwrite(fd_, data, size, static_cast<off_t>(*offset))
                      : ::write(fd_, data, size);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        return last_error();
      }
      data += n;
      size -= static_cast<std::size_t>(n);
      if (offset)
        *offset += static_cast<std::uint64_t>(n);
    }
    return {};
  }

  int fd_;
};

class posix_storage_impl : public storage {
public:
  std::error_code create_exclusive(const std::string& path,
                                   std::unique_ptr<writable_file>& out) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
      return last_error();
    out = std::make_unique<posix_file>(fd);
    return {};
  }

  std::error_code read_all(const std::string& path, std::string& out) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      return last_error();
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      auto ec = last_error();
      ::close(fd);
      return ec;
    }
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < out.size()) {
      auto n = ::read(fd, out.data() + got, out.size() - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        auto ec = last_error();
        ::close(fd);
        return ec;
      }
      if (n == 0)
        break;
      got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    ::close(fd);
    return {};
  }

  std::error_code rename(const std::string& from, const std::string& to) override {
    return ::rename(from.c_str(), to.c_str()) == 0 ? std::error_code{} : last_error();
  }

  std::error_code link(const std::string& from, const std::string& to) override {
    return ::link(from.c_str(), to.c_str()) == 0 ? std::error_code{} : last_error();
  }

  std::error_code remove(const std::string& path) override {
    if (::unlink(path.c_str()) == 0 || errno == ENOENT)
      return {};
    return last_error();
  }

  std::error_code remove_all(const std::string& path) override {
    boost::system::error_code ec;
    fs::remove_all(path, ec);
    return from_boost(ec);
  }

  std::error_code create_dir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST)
      return {};
    return last_error();
  }

  std::error_code sync_dir(const std::string& path) override {
    return fsync_path(path, O_DIRECTORY);
  }

  std::error_code list_dir(const std::string& path, std::vector<std::string>& names) override {
    boost::system::error_code ec;
    for (fs::directory_iterator i{path, ec}, end; !ec && i != end; i.increment(ec))
      names.push_back(i->path().filename().string());
    return from_boost(ec);
  }

  bool exists(const std::string& path) override {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
  }

  bool is_directory(const std::string& path) override {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  std::error_code truncate(const std::string& path, std::uint64_t size) override {
    return ::truncate(path.c_str(), static_cast<off_t>(size)) == 0 ? std::error_code{}
                                                                   : last_error();
  }

  std::error_code sync_file(const std::string& path) override {
    return fsync_path(path, O_NOFOLLOW);
  }
};

} // namespace

storage& posix_storage() {
  static posix_storage_impl instance;
  return instance;
}

bool is_disk_full(const std::error_code& ec) {
  return ec.category() == std::generic_category() && (ec.value() == ENOSPC || ec.value() == EDQUOT);
}

std::error_code write_new_file(storage& st, const std::string& path, const std::string& bytes) {
  std::unique_ptr<writable_file> file;
  if (auto ec = st.create_exclusive(path, file))
    return ec;
  if (auto ec = file->append(bytes.data(), bytes.size()))
    return ec;
  if (auto ec = file->sync())
    return ec;
  return file->close();
}

std::error_code create_own_dir(storage& st, const std::string& path) {
  if (auto ec = st.create_dir(path))
    return ec;
  if (!st.is_directory(path))
    return std::make_error_code(std::errc::not_a_directory);
  return {};
}

} // namespace analysisd
