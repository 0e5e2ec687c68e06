#pragma once

// A private PostgreSQL 15 for tests: a cluster in a temporary directory (its
// unix socket there too) on a free loopback port, run as the `postgres` user
// when the tests run as root (PostgreSQL refuses root), as the current user
// otherwise. fsync stays on. The cluster is copied from a template that
// initdb makes once per build tree (under a lock), which takes a few seconds;
// a copy starts in well under one.

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

namespace analysisd::test {

class postgres_process {
public:
  /// Makes and starts a cluster; waits until it accepts connections (at most
  /// 60 s, counting initdb). Throws std::runtime_error saying what failed
  /// (initdb missing, the server's log, ...).
  postgres_process();
  /// The same, also listening on `extra_address` (an IPv4 address of this
  /// host, e.g. a veth's) and letting any IPv4 client in (trust): for nodes
  /// in another network namespace. Empty: loopback only.
  explicit postgres_process(std::string extra_address);
  /// Stops the server (immediate shutdown, then SIGKILL) and removes its
  /// directory; in the process that made it only (see owner_).
  ~postgres_process();
  postgres_process(const postgres_process&) = delete;
  postgres_process& operator=(const postgres_process&) = delete;

  /// One server per test program: started at the first call, stopped at exit.
  /// Tests that stop or pause their server make their own instead.
  static postgres_process& shared();

  std::uint16_t port() const {
    return port_;
  }
  /// A libpq connection string for `database` as the superuser.
  std::string conninfo(const std::string& database = "postgres") const;
  /// Creates a new, empty database (a unique name) and returns its conninfo,
  /// so that tests sharing a server never see one another's tables.
  std::string create_database();

  /// Freezes the server and its backends (SIGSTOP): connections stay open
  /// and nothing answers, as when PostgreSQL vanishes from the network.
  void pause();
  /// Lets a paused server go on (SIGCONT).
  void resume();
  /// Kills the server and its backends at once (SIGKILL): a crash.
  void kill();
  /// Starts the server again on the same directory and port.
  void restart();

  /// How long the constructor took, and how much of it initdb took (0 when
  /// the template existed).
  double start_seconds() const {
    return start_seconds_;
  }
  double initdb_seconds() const {
    return initdb_seconds_;
  }

private:
  void launch();
  std::string extra_address_;
  void wait_ready();

  std::string dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  /// The process that started the server. A child forked from it (a gtest
  /// death test that exits through std::exit runs the static destructors,
  /// postgres_process::shared()'s too) must leave the server and its
  /// directory alone: they are its parent's.
  pid_t owner_ = ::getpid();
  double start_seconds_ = 0;
  double initdb_seconds_ = 0;
};

/// Runs `sql` on `conninfo` and returns its rows, each value as text (NULL
/// as ""). Throws std::runtime_error with PostgreSQL's message on failure.
std::vector<std::vector<std::string>> pg_rows(const std::string& conninfo, const std::string& sql);

} // namespace analysisd::test
