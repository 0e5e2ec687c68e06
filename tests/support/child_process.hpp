#pragma once

// Launching and ending the server binary's processes, shared by
// server_process (one server) and cluster_process (several nodes).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace analysisd::test {

/// Forks and execs `argv` (argv[0] is the program's path) with `env` added
/// to this process's environment, its stdout and stderr appended to
/// `log_path`. With `die_with_parent`, the child gets SIGKILL when the
/// calling thread ends (a test program that dies leaves no node behind).
/// Returns the child's PID; throws std::runtime_error if fork fails.
pid_t spawn_logged(const std::vector<std::string>& argv,
                   const std::vector<std::pair<std::string, std::string>>& env,
                   const std::string& log_path, bool die_with_parent = false);

enum class wait_outcome { ready, exited, timed_out };

/// Polls GET `path` on 127.0.0.1:`port` until it answers 200 (ready), the
/// process `pid` exits (exited: `pid` is reaped and set to -1, its status in
/// `exit_status` if given), or `timeout` passes (timed_out: `pid` still runs).
wait_outcome wait_until_ok(pid_t& pid, std::uint16_t port, const std::string& path,
                           std::chrono::milliseconds timeout, int* exit_status = nullptr);

/// Sends `sig` to `pid` and reaps it; returns its exit code (-1 if a signal
/// ended it). Does nothing and returns -1 for pid <= 0.
int signal_and_wait(pid_t pid, int sig);

/// True while `pid` runs; reaps it (and returns false) once it exited.
bool still_running(pid_t pid);

/// A text file's whole contents ("" if it cannot be read).
std::string whole_file(const std::string& path);

} // namespace analysisd::test
