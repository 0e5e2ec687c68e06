// bench_fsync DIR SECONDS [over-zeros]: appends 64 bytes and fdatasyncs, in a
// loop, to a new file in DIR for SECONDS, then prints "fsyncs_per_second N"
// and removes the file. This is the ceiling of a server that makes each
// change durable with its own fdatasync (no group commit) on that file
// system. With `over-zeros`, the file is first filled with 64 MiB of zeros
// (fdatasynced, not timed) and the loop writes over them (from the start
// again at their end), as the journal writes its records (journal_writer):
// no fdatasync then has a file size to make durable.

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  bool over_zeros = argc == 4 && std::string{argv[3]} == "over-zeros";
  if (argc != 3 && !over_zeros) {
    std::fprintf(stderr, "usage: bench_fsync DIR SECONDS [over-zeros]\n");
    return 2;
  }
  std::string path = std::string{argv[1]} + "/bench-fsync.tmp";
  double seconds = std::atof(argv[2]);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | (over_zeros ? 0 : O_APPEND), 0600);
  if (fd < 0) {
    std::perror(path.c_str());
    return 1;
  }
  const off_t zeros = over_zeros ? off_t{64} << 20 : 0;
  if (over_zeros) {
    std::string chunk(1 << 20, '\0');
    for (off_t at = 0; at < zeros; at += static_cast<off_t>(chunk.size()))
      if (::pwrite(fd, chunk.data(), chunk.size(), at) != static_cast<ssize_t>(chunk.size())) {
        std::perror("pwrite");
        return 1;
      }
    if (::fdatasync(fd) != 0) {
      std::perror("fdatasync");
      return 1;
    }
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
    auto written = over_zeros ? ::pwrite(fd, record, sizeof record,
                                         static_cast<off_t>(count * sizeof record) % zeros)
                              : ::write(fd, record, sizeof record);
    if (written != static_cast<ssize_t>(sizeof record) || ::fdatasync(fd) != 0) {
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
