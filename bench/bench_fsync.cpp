// bench_fsync DIR SECONDS: appends 64 bytes and fdatasyncs, in a loop, to a
// new file in DIR for SECONDS, then prints "fsyncs_per_second N" and removes
// the file. This is the ceiling of a server that makes each change durable
// with its own fdatasync (no group commit) on that file system.

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_fsync DIR SECONDS\n");
    return 2;
  }
  std::string path = std::string{argv[1]} + "/bench-fsync.tmp";
  double seconds = std::atof(argv[2]);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  if (fd < 0) {
    std::perror(path.c_str());
    return 1;
  }
  char record[64];
  std::memset(record, 'x', sizeof record);
  record[sizeof record - 1] = '\n';
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto end = start + std::chrono::duration<double>(seconds);
  long count = 0;
  int rc = 0;
  while (clock::now() < end) {
    if (::write(fd, record, sizeof record) != static_cast<ssize_t>(sizeof record)
        || ::fdatasync(fd) != 0) {
      std::perror("write/fdatasync");
      rc = 1;
      break;
    }
    ++count;
  }
  double elapsed = std::chrono::duration<double>(clock::now() - start).count();
  ::close(fd);
  ::unlink(path.c_str());
  std::printf("fsyncs_per_second %.1f\n", count / elapsed);
  return rc;
}
