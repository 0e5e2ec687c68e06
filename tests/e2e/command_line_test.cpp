// End-to-end: the command line of SPEC.md (--version, --help, bad options),
// the ANALYSISD_* environment and --config, which reads the same options
// from a file.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>

#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace analysisd::test;

namespace {

// Runs the binary with `args`; returns its exit code and everything it printed.
int run_binary(const std::string& args, std::string& output) {
  return run_command(server_binary() + " " + args, output);
}

} // namespace

TEST(e2e_command_line, version_prints_the_version_and_exits_0) {
  std::string out;
  EXPECT_EQ(run_binary("--version", out), 0);
  EXPECT_EQ(out.rfind("analysisd " ANALYSISD_VERSION "\n", 0), 0u) << out;
  // Then the commit it was built from and the build type.
  EXPECT_TRUE(std::regex_search(out, std::regex{"\ncommit ([0-9a-f]{12}|unknown)\n"})) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex{"\nbuild (Debug|Release|RelWithDebInfo|MinSizeRel)"}))
    << out;
}

TEST(e2e_command_line, help_lists_the_options_and_exits_0) {
  std::string out;
  EXPECT_EQ(run_binary("--help", out), 0);
  for (auto opt : {"--listen", "--data-dir", "--admin-token-file", "--threads", "--max-body-bytes"})
    EXPECT_NE(out.find(opt), std::string::npos) << opt << " missing from:\n" << out;
}

TEST(e2e_command_line, unknown_option_and_bad_listen_exit_2) {
  std::string out;
  EXPECT_EQ(run_binary("--no-such-option", out), 2) << out;
  out.clear();
  EXPECT_EQ(run_binary("--listen nonsense", out), 2) << out;
  EXPECT_NE(out.find("HOST:PORT"), std::string::npos) << out;
}

TEST(e2e_command_line, help_goes_to_stdout) {
  std::string out;
  EXPECT_EQ(run_binary("--help 2>/dev/null", out), 0);
  EXPECT_NE(out.find("--drain-timeout"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(run_binary("--help >/dev/null", out), 0);
  EXPECT_EQ(out, "");
}

TEST(e2e_command_line, a_bad_config_file_exits_2_naming_the_file_and_the_key) {
  temp_dir dir;
  auto conf = dir.path() + "/analysisd.conf";
  std::ofstream{conf} << "listen = \"127.0.0.1:0\"\nthreads = \"abc\"\n";
  std::string out;
  EXPECT_EQ(run_binary("--config " + conf, out), 2) << out;
  EXPECT_NE(out.find(conf + ": key 'threads'"), std::string::npos) << out;
  // Nothing was started: no data dir was made.
  EXPECT_FALSE(std::ifstream{dir.path() + "/data/format"}.good());
}

TEST(e2e_command_line, the_environment_sets_options_and_flags_win) {
  temp_dir dir;
  auto conf = dir.path() + "/analysisd.conf";
  std::ofstream{conf} << "max-json-bytes = 100000\n";
  ::setenv("ANALYSISD_MAX_JSON_BYTES", "512", 1);
  ::setenv("ANALYSISD_CONFIG", conf.c_str(), 1);
  server_process server{dir.path() + "/data"};
  server_process flagged{dir.path() + "/data2", {"--max-json-bytes", "1MiB"}};
  ::unsetenv("ANALYSISD_MAX_JSON_BYTES");
  ::unsetenv("ANALYSISD_CONFIG");
  auto big = R"({"results":{"padding":")" + std::string(1000, 'x') + "\"}}";
  http_client c{server.port()};
  auto a = create_job_analysis(server, c);
  expect_error(c.patch("/api/analyses/" + a.id, big, a.auth), 413, "payload_too_large",
               "Payload too large", "the environment wins over the file");
  http_client c2{flagged.port()};
  auto b = create_job_analysis(flagged, c2);
  EXPECT_EQ(c2.patch("/api/analyses/" + b.id, big, b.auth).status, 200) << "the flag wins";
}

TEST(e2e_command_line, config_file_sets_options) {
  temp_dir dir;
  auto ini = dir.path() + "/analysisd.conf";
  std::ofstream{ini} << "# a comment\nmax-json-bytes = 512\n";
  server_process server{dir.path() + "/data", {"--config", ini}};
  http_client c{server.port()};
  auto a = create_job_analysis(server, c);
  auto big = R"({"results":{"padding":")" + std::string(1000, 'x') + "\"}}";
  expect_error(c.patch("/api/analyses/" + a.id, big, a.auth), 413, "payload_too_large",
               "Payload too large", "body over max-json-bytes from the config file");
  EXPECT_EQ(c.patch("/api/analyses/" + a.id, R"({"results":{}})", a.auth).status, 200);
  EXPECT_EQ(server.stop(), 0);
}

// The process restarts itself once (with glibc's huge-page tunable) and must
// keep its name for ps, top and pgrep -x: exec through /proc/self/exe named
// it "exe".
TEST(e2e_command_line, the_process_keeps_its_name_after_restarting_itself) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  auto proc = "/proc/" + std::to_string(server.pid());
  EXPECT_EQ(read_file(proc + "/comm"), "analysisd\n");
  if (std::getenv("GLIBC_TUNABLES") == nullptr) {
    auto env = read_file(proc + "/environ");
    EXPECT_NE(env.find("GLIBC_TUNABLES=glibc.malloc.hugetlb=1"), std::string::npos)
      << "it did not restart itself";
  }
  EXPECT_EQ(server.stop(), 0);
}

// The thread pools' default sizes follow the CPUs the process may use: with
// one (here its affinity; a container's cgroup CPU quota counts the same
// way, tests/app/cpu_budget_test.cpp) it runs one HTTP thread and one
// scheduler thread, and says so; the flags still win.
TEST(e2e_command_line, one_usable_cpu_gets_one_thread_of_each_kind) {
  cpu_set_t all;
  CPU_ZERO(&all);
  ASSERT_EQ(::sched_getaffinity(0, sizeof(all), &all), 0);
  int first = 0;
  while (!CPU_ISSET(first, &all))
    ++first;
  // The servers are forked by this thread and inherit its affinity.
  struct pinned {
    cpu_set_t restore;
    explicit pinned(const cpu_set_t& all, int cpu) : restore(all) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      if (::sched_setaffinity(0, sizeof(one), &one) != 0)
        throw std::runtime_error("sched_setaffinity failed");
    }
    ~pinned() {
      ::sched_setaffinity(0, sizeof(restore), &restore);
    }
  };
  temp_dir dir;
  std::string sized, flagged;
  {
    pinned one_cpu{all, first};
    server_process a{dir.path() + "/a"};
    server_process b{dir.path() + "/b", {"--threads", "3", "--caf.scheduler.max-threads=2"}};
    EXPECT_EQ(a.stop(), 0);
    EXPECT_EQ(b.stop(), 0);
    sized = a.log();
    flagged = b.log();
  }
  EXPECT_NE(sized.find(" info threads http=1 scheduler=1 usable_cpus=1 affinity_cpus=1 "),
            std::string::npos)
    << sized;
  EXPECT_NE(sized.find(" threads=1 "), std::string::npos) << "the starting line's HTTP threads";
  EXPECT_NE(flagged.find(" info threads http=3 scheduler=2 usable_cpus=1 "), std::string::npos)
    << flagged;
}

namespace {

// A CPU cgroup of its own with a quota (cgroup v2's cpu.max, or the v1 cpu
// controller's cfs quota), removed at the end; `error` says why there is
// none (not root, no writable cpu controller). On cgroup v2 the root's
// subtree_control keeps the cpu controller enabled afterwards, as systemd
// and container runtimes enable it anyway.
struct quota_cgroup {
  std::string dir;
  std::string error;

  explicit quota_cgroup(const std::string& quota_us) {
    auto name = "/analysisd-test-" + std::to_string(::getpid());
    auto write = [](const std::string& path, const std::string& text) {
      std::ofstream out{path};
      out << text;
      out.flush();
      return static_cast<bool>(out);
    };
    std::ifstream controllers{"/sys/fs/cgroup/cgroup.controllers"};
    std::string v2;
    std::getline(controllers, v2);
    if ((" " + v2 + " ").find(" cpu ") != std::string::npos) {
      write("/sys/fs/cgroup/cgroup.subtree_control", "+cpu");
      if (::mkdir(("/sys/fs/cgroup" + name).c_str(), 0755) != 0) {
        error = "cannot make a cgroup under /sys/fs/cgroup";
        return;
      }
      dir = "/sys/fs/cgroup" + name;
      if (!write(dir + "/cpu.max", quota_us + " 100000"))
        error = "cannot write " + dir + "/cpu.max";
    } else if (std::ifstream{"/sys/fs/cgroup/cpu/cpu.cfs_quota_us"}) {
      if (::mkdir(("/sys/fs/cgroup/cpu" + name).c_str(), 0755) != 0) {
        error = "cannot make a cgroup under /sys/fs/cgroup/cpu";
        return;
      }
      dir = "/sys/fs/cgroup/cpu" + name;
      if (!write(dir + "/cpu.cfs_period_us", "100000") || !write(dir + "/cpu.cfs_quota_us", quota_us))
        error = "cannot write the quota in " + dir;
    } else {
      error = "no cgroup cpu controller at /sys/fs/cgroup or /sys/fs/cgroup/cpu";
    }
  }
  ~quota_cgroup() {
    if (dir.empty())
      return;
    // Empty once the server in it has exited; the kernel may take a moment
    // to let go of a process just reaped (EBUSY).
    for (int i = 0; ::rmdir(dir.c_str()) != 0; ++i) {
      if (errno != EBUSY || i == 50) {
        ADD_FAILURE() << "cannot remove the test's cgroup " << dir << ": " << std::strerror(errno);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
};

} // namespace

// What a container limited to 0.4 of a core gets: one thread of each kind,
// and its quota in the log (root only, with a writable cgroup cpu
// controller; skipped elsewhere).
TEST(e2e_command_line, a_cgroup_cpu_quota_sizes_the_threads) {
  quota_cgroup cg{"40000"};
  if (!cg.error.empty())
    GTEST_SKIP() << cg.error;
  temp_dir dir;
  // The server starts in the cgroup: a shell joins it, then becomes the server.
  auto wrapper = dir.path() + "/in-cgroup.sh";
  auto quoted = [](const std::string& s) {
    std::string out = "'";
    for (char c : s)
      out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
    return out + "'";
  };
  write_file(wrapper, "#!/bin/sh\necho $$ > " + quoted(cg.dir + "/cgroup.procs") + " || exit 97\nexec "
                        + quoted(server_binary()) + " \"$@\"\n");
  ASSERT_EQ(::chmod(wrapper.c_str(), 0755), 0);
  // server_process starts ANALYSISD_TEST_BINARY: the wrapper, for this one.
  struct binary_override {
    std::optional<std::string> previous;
    explicit binary_override(const std::string& path) {
      if (const char* was = std::getenv("ANALYSISD_TEST_BINARY"))
        previous = was;
      ::setenv("ANALYSISD_TEST_BINARY", path.c_str(), 1);
    }
    ~binary_override() {
      if (previous)
        ::setenv("ANALYSISD_TEST_BINARY", previous->c_str(), 1);
      else
        ::unsetenv("ANALYSISD_TEST_BINARY");
    }
  };
  std::string log;
  {
    binary_override wrapped{wrapper};
    server_process server{dir.path() + "/data"};
    EXPECT_EQ(server.stop(), 0);
    log = server.log();
  }
  EXPECT_NE(log.find(" info threads http=1 scheduler=1 usable_cpus=1 "), std::string::npos) << log;
  EXPECT_NE(log.find(" cpu_quota=0.40\n"), std::string::npos) << log;
}
