#pragma once

// Runs the real analysisd binary for end-to-end tests on a free loopback port
// with its own temporary data directory.

#include "tests/support/http_client.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace analysisd::test {

class cluster_process;

/// A fresh temporary directory, removed (with everything in it) on destruction.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const {
    return path_;
  }

private:
  std::string path_;
};

/// The server under test: one analysisd, or, when the environment variable
/// ANALYSISD_TEST_CLUSTER=N is set, a cluster of N nodes (cluster_process)
/// sharing `data_dir`, each started with `args`. In cluster mode port() and
/// pid() are node 0's, ports() every node's, and stop(), kill() and restart()
/// act on every node.
class server_process {
public:
  /// Starts analysisd on `data_dir` (admin token `admin_token`, via the
  /// environment) with extra command-line `args`, and waits until /healthz
  /// says ok (fails the test after 30 s).
  server_process(std::string data_dir, std::vector<std::string> args = {},
                 std::string admin_token = "test-admin-token");
  /// Stops it with SIGTERM if it still runs.
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  std::uint16_t port() const;
  /// Every port that serves this server's analyses: {port()} for one server,
  /// each node's in cluster mode (give them to http_client to spread requests).
  std::vector<std::uint16_t> ports() const;
  /// The cluster in cluster mode, else nullptr.
  cluster_process* cluster() const {
    return cluster_.get();
  }
  const std::string& data_dir() const {
    return data_dir_;
  }
  const std::string& admin_token() const {
    return token_;
  }
  /// Everything the server wrote to stderr so far.
  std::string log() const;
  /// The running process's PID (-1 when it is not running).
  pid_t pid() const;

  /// Sends SIGTERM and waits; returns the exit status (-1 if killed by a signal).
  int stop();
  /// Sends SIGKILL and waits.
  void kill();
  /// True while the process runs (false once it exited by itself).
  bool alive();
  /// Starts the binary again on the same data dir and arguments, and kills it
  /// with SIGKILL `after` later, whether it became ready or not (a crash
  /// during recovery). The server must not be running.
  void start_and_kill_after(std::chrono::milliseconds after);
  /// Starts it again on the same data dir and arguments (a new port); waits
  /// until it is ready.
  void restart();

  // -- shortcuts for the common flow (each asserts success) ------------------

  /// Creates an analysis with the seed document's fields; returns its document.
  nlohmann::json create_analysis(http_client& c, const std::string& id = {});
  /// Acquires the job; returns the key.
  std::string acquire(http_client& c, const std::string& job_id);
  /// Creates an analysis and acquires its job: {document, key}.
  std::pair<nlohmann::json, std::string> create_acquired(http_client& c,
                                                         const std::string& id = {});

private:
  void start();
  pid_t spawn();
  void start_cluster();

  std::string data_dir_;
  std::string token_;
  std::vector<std::string> args_;
  std::string log_path_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::unique_ptr<cluster_process> cluster_;
};

/// Runs `cmd` with `sh -c`; returns its exit status (-1 if it did not exit)
/// and appends everything it printed (stdout and stderr) to `output`.
int run_command(const std::string& cmd, std::string& output);

/// The server binary the end-to-end tests run: $ANALYSISD_TEST_BINARY if
/// set (the sanitize build runs the dev build's suite against its own
/// server that way), else this build's analysisd.
std::string server_binary();

/// The server under test is built with ASan: $ANALYSISD_TEST_SANITIZED is
/// 1, or this test program is built with it (so is the server then).
bool server_sanitized();

/// Runs the binary in the foreground on `data_dir` with `args` (bounded to
/// `seconds`, then killed), for a start that must fail; returns its exit
/// status and appends what it printed to `output`.
int run_binary_once(const std::string& data_dir, const std::vector<std::string>& args,
                    std::string& output, int seconds = 30);

/// The body of a valid create request (the seed document's fields).
nlohmann::json create_body(const std::string& id = {});

} // namespace analysisd::test
