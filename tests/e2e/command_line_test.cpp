// End-to-end: the command line of SPEC.md (--version, --help, bad options),
// the ANALYSISD_* environment and --config, which reads the same options
// from a file.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <sys/wait.h>

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
