#include "tests/support/child_process.hpp"

#include "tests/support/http_client.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace analysisd::test {

pid_t spawn_logged(const std::vector<std::string>& argv_s,
                   const std::vector<std::pair<std::string, std::string>>& env,
                   const std::string& log_path, bool die_with_parent) {
  // Everything the child needs is made before fork: a multi-threaded parent's
  // child may only call async-signal-safe functions.
  std::vector<std::string> args = argv_s;
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent)
        ::_exit(127); // the parent died before prctl
    }
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(log, STDERR_FILENO);
    ::dup2(log, STDOUT_FILENO);
    for (auto& [name, value] : env)
      ::setenv(name.c_str(), value.c_str(), 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

wait_outcome wait_until_ok(pid_t& pid, std::uint16_t port, const std::string& path,
                           std::chrono::milliseconds timeout, int* exit_status) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      if (exit_status != nullptr)
        *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return wait_outcome::exited;
    }
    try {
      http_client c{port};
      if (c.get(path).status == 200)
        return wait_outcome::ready;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return wait_outcome::timed_out;
}

int signal_and_wait(pid_t pid, int sig) {
  if (pid <= 0)
    return -1;
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool still_running(pid_t pid) {
  if (pid <= 0)
    return false;
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) != pid;
}

std::string whole_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace analysisd::test
