// End-to-end: the shipped examples run cleanly against the real binary.

#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace analysisd::test;

namespace {

bool have_program(const std::string& name) {
  auto cmd = "command -v " + name + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}


} // namespace

TEST(e2e_examples, curl_job_flow_script_succeeds) {
  if (!have_program("curl"))
    GTEST_SKIP() << "curl is not installed";
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  std::string cmd = "cd '" + dir.path() + "' && ANALYSISD_URL=http://127.0.0.1:"
                    + std::to_string(server.port()) + " ANALYSISD_ADMIN_TOKEN='"
                    + server.admin_token() + "' bash '" ANALYSISD_SOURCE_DIR
                    "/examples/curl_job_flow.sh'";
  std::string output;
  EXPECT_EQ(run_command(cmd, output), 0) << output << "\nserver log:\n" << server.log();
  EXPECT_NE(output.find("OK: the whole job flow behaved as specified"), std::string::npos)
    << output;
  EXPECT_EQ(server.stop(), 0);
}

TEST(e2e_examples, curl_job_flow_script_reads_the_token_file_by_default) {
  if (!have_program("curl"))
    GTEST_SKIP() << "curl is not installed";
  temp_dir dir;
  // No token in the environment: the server generates <data>/admin-token,
  // and the script, run from the data dir's parent, reads ./data/admin-token.
  server_process server{dir.path() + "/data", {}, ""};
  std::string cmd = "cd '" + dir.path() + "' && unset ANALYSISD_ADMIN_TOKEN"
                    " && ANALYSISD_URL=http://127.0.0.1:" + std::to_string(server.port())
                    + " bash '" ANALYSISD_SOURCE_DIR "/examples/curl_job_flow.sh'";
  std::string output;
  EXPECT_EQ(run_command(cmd, output), 0) << output << "\nserver log:\n" << server.log();
  EXPECT_EQ(server.stop(), 0);
}
