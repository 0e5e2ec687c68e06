#include "persistence/log.hpp"

#include "persistence/model.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace analysisd {

namespace {

// Where log lines go. Replaced in place with dup2 when the log file is
// reopened, so that a line being written on another thread never meets a
// closed or reused descriptor.
int log_fd = STDERR_FILENO;

} // namespace

void log_line(const char* level, const std::string& message) {
  auto line = format_timestamp(now()) + " " + level + " " + message + "\n";
  auto rc = ::write(log_fd, line.data(), line.size());
  (void) rc; // nowhere left to report a failed write of a log line
}

std::string open_log_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return "cannot open the log file " + path + ": " + std::strerror(errno);
  if (log_fd == STDERR_FILENO) {
    // The first open: from now on the lines go to a descriptor of their own.
    log_fd = fd;
    return {};
  }
  int rc = ::dup2(fd, log_fd);
  int err = errno;
  ::close(fd);
  if (rc < 0)
    return "cannot reopen the log file " + path + ": " + std::strerror(err);
  return {};
}

} // namespace analysisd
