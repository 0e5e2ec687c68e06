#pragma once

// A peer node stand-in for the actors' tests: a fake_node process
// (tests/support/fake_node.cpp) publishing node_actor_v2 on loopback.

#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>

extern char** environ;

namespace analysisd::test {

// A fake_node process: its stdin is kept open (closing it ends the process).
class fake_peer {
public:
  explicit fake_peer(const std::string& mode, std::uint16_t port = 0) {
    int in[2], out[2];
    EXPECT_EQ(::pipe(in), 0);
    EXPECT_EQ(::pipe(out), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::string program = ANALYSISD_FAKE_NODE;
    auto port_arg = std::to_string(port);
    char* argv[] = {program.data(), const_cast<char*>(mode.c_str()), port_arg.data(), nullptr};
    EXPECT_EQ(posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n')
      line.push_back(c);
    ::close(out[0]);
    port_ = line.empty() ? 0 : static_cast<std::uint16_t>(std::stoul(line));
    EXPECT_NE(port_, 0) << "the fake node did not start";
  }
  ~fake_peer() {
    ::close(stdin_);
    if (pid_ > 0) {
      ::kill(pid_, SIGCONT);
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  std::uint16_t port() const {
    return port_;
  }
  /// Stops the process (SIGSTOP) and returns once it is stopped: kill(2)
  /// returns before every thread of a busy process is, and one of them
  /// could still answer a request sent meanwhile.
  void stop() {
    ::kill(pid_, SIGSTOP);
    int status = 0;
    EXPECT_EQ(::waitpid(pid_, &status, WUNTRACED), pid_);
    EXPECT_TRUE(WIFSTOPPED(status));
  }
  void resume() {
    ::kill(pid_, SIGCONT);
  }
  void kill() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  std::uint16_t port_ = 0;
};

} // namespace analysisd::test
