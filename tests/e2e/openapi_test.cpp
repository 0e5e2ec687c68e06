// The OpenAPI description (openapi.yaml) against the real server: every
// response of a workload over every route must be described, exactly, by the
// copy the server serves at /openapi.yaml (tests/e2e/openapi_check.py does
// the checking with Debian's python3-jsonschema). The self-tests break the
// description on purpose and expect the check to fail.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace analysisd::test;

namespace {

constexpr std::uint64_t max_json_bytes = 64 << 10;
constexpr std::uint64_t max_body_bytes = 1 << 20;

class e2e_openapi : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<temp_dir>();
    server_ = std::make_unique<server_process>(
      dir_->path() + "/data",
      std::vector<std::string>{"--max-json-bytes", std::to_string(max_json_bytes),
                               "--max-body-bytes", std::to_string(max_body_bytes)});
  }

  static void TearDownTestSuite() {
    server_.reset();
    dir_.reset();
  }

  // Runs the checker with `extra` arguments; its exit status, and its output
  // in `output`.
  static int check(const std::string& extra, std::string& output) {
    std::string source = ANALYSISD_SOURCE_DIR;
    // Debian's interpreter, with Debian's python3-yaml and python3-jsonschema
    // (scripts/install-deps.sh), whatever python3 comes first on the PATH.
    std::string cmd = "/usr/bin/python3 '" + source + "/tests/e2e/openapi_check.py'"
                      + " --port " + std::to_string(server_->port())
                      + " --admin-token '" + server_->admin_token() + "'"
                      + " --data-dir '" + server_->data_dir() + "'"
                      + " --spec '" + source + "/openapi.yaml'"
                      + " --sources '" + source + "'"
                      + " --version " ANALYSISD_VERSION
                      + " --max-json-bytes " + std::to_string(max_json_bytes)
                      + " --max-body-bytes " + std::to_string(max_body_bytes) + " " + extra;
    return run_command(cmd, output);
  }

  static inline std::unique_ptr<temp_dir> dir_;
  static inline std::unique_ptr<server_process> server_;
};

} // namespace

TEST_F(e2e_openapi, every_response_of_every_route_is_described_by_the_served_document) {
  std::string output;
  EXPECT_EQ(check("", output), 0) << output;
  EXPECT_NE(output.find(", 0 failures"), std::string::npos) << output;
}

TEST_F(e2e_openapi, a_status_missing_from_the_description_fails_the_check) {
  std::string output;
  EXPECT_EQ(check("--drop-status PATCH '/api/analyses/{analysis_id}' 409", output), 1) << output;
  EXPECT_NE(output.find("status 409 is not documented for PATCH /api/analyses/{analysis_id}"),
            std::string::npos)
    << output;
}

TEST_F(e2e_openapi, a_message_the_server_does_not_send_fails_the_check) {
  std::string output;
  EXPECT_EQ(check("--mutate 'Insufficient rights' 'Not yours'", output), 1) << output;
  EXPECT_NE(output.find("'Insufficient rights' is not one of ['Not yours']"), std::string::npos)
    << output;
}

TEST_F(e2e_openapi, a_route_missing_from_the_description_fails_the_check) {
  std::string output;
  // The description without /livez's path: the router still serves it.
  EXPECT_EQ(check("--mutate '  /livez:' '  /livez-gone:'", output), 1) << output;
  EXPECT_NE(output.find("the server serves /livez"), std::string::npos) << output;
}
