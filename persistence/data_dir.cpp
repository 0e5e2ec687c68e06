#include "persistence/data_dir.hpp"

#include "persistence/model.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace analysisd {

std::unique_ptr<data_dir_lock> data_dir_lock::acquire(const std::string& data_dir,
                                                      std::string& error) {
  auto path = data_dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EWOULDBLOCK) {
      char buf[32] = {};
      auto n = ::pread(fd, buf, sizeof(buf) - 1, 0);
      std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
        pid.pop_back();
      error = "the data dir " + data_dir + " is in use by another analysisd (PID "
              + (pid.empty() ? std::string{"unknown"} : pid) + "); one server per data dir";
    } else {
      error = "cannot lock " + path + ": " + std::strerror(err);
    }
    ::close(fd);
    return nullptr;
  }
  // Only informative (the flock is the lock): who holds it, for the message above.
  auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The lock holds all the same; only the PID in messages is missing.
  }
  return std::unique_ptr<data_dir_lock>(new data_dir_lock(fd));
}

data_dir_lock::~data_dir_lock() {
  ::close(fd_);
}

std::string read_data_dir_format(storage& st, const std::string& data_dir, int& format) {
  auto path = data_dir + "/" + format_file_name;
  format = 0;
  if (!st.exists(path))
    return {};
  std::string text;
  if (auto ec = st.read_all(path, text))
    return "cannot read " + path + ": " + ec.message();
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto f = j.is_object() ? j.find("format") : j.end();
  if (f == j.end() || !f->is_number_unsigned() || f->get<std::uint64_t>() < 1
      || f->get<std::uint64_t>() > 1000)
    return path + " is not a data dir format file of analysisd (it should hold "
                  "{\"format\": N, ...}); nothing was changed";
  auto n = static_cast<int>(f->get<std::uint64_t>());
  if (n > current_format) {
    auto by = j.find("created_by");
    return "the data dir " + data_dir + " has format " + std::to_string(n)
           + (by != j.end() && by->is_string() ? " (written by " + by->get<std::string>() + ")"
                                               : std::string{})
           + ", newer than this analysisd " ANALYSISD_VERSION " reads (formats 1 to "
           + std::to_string(current_format)
           + "): run the newer analysisd, or restore a copy of the data dir made for this one; "
             "nothing was changed";
  }
  format = n;
  return {};
}

std::string write_data_dir_format(storage& st, const std::string& data_dir) {
  auto path = data_dir + "/" + format_file_name;
  auto tmp = path + ".tmp";
  nlohmann::json j = {{"format", current_format},
                      {"created_by", "analysisd " ANALYSISD_VERSION}};
  auto text = j.dump() + "\n";
  st.remove(tmp);
  std::error_code ec = write_new_file(st, tmp, text);
  if (!ec)
    ec = st.rename(tmp, path);
  if (!ec)
    ec = st.sync_dir(data_dir);
  if (ec) {
    st.remove(tmp);
    return "cannot write " + path + ": " + ec.message();
  }
  return {};
}

} // namespace analysisd
