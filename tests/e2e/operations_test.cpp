// End-to-end: what orchestrators and operators rely on (SPEC.md "Service
// routes", signals): liveness and readiness, and SIGHUP, which reopens the
// log file instead of ending the process.

#include "tests/support/e2e.hpp"

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

using namespace analysisd::test;

namespace {

// Waits (bounded) until `path` holds `text`.
bool eventually_contains(const std::string& path, const std::string& text) {
  for (int i = 0; i < 250; ++i) {
    if (read_file(path).find(text) != std::string::npos)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

} // namespace

TEST(e2e_operations, livez_and_readyz_answer_ok_and_healthz_is_readyz) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  for (const char* path : {"/livez", "/readyz", "/healthz"}) {
    auto res = c.get(path);
    EXPECT_EQ(res.status, 200) << path;
    EXPECT_EQ(res.json(), (nlohmann::json{{"status", "ok"}})) << path;
  }
  auto res = c.post("/readyz", "");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.header("allow"), "GET");
}

TEST(e2e_operations, sighup_reopens_the_log_file_and_never_ends_the_process) {
  temp_dir dir;
  auto log = dir.path() + "/analysisd.log";
  server_process server{dir.path() + "/data", {"--log-file", log}};
  EXPECT_TRUE(eventually_contains(log, "ready: serving")) << read_file(log);
  // As logrotate does: move the file away, then SIGHUP.
  boost::filesystem::rename(log, log + ".1");
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  EXPECT_TRUE(eventually_contains(log, "reopened the log file")) << read_file(log);
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  http_client c{server.port()};
  EXPECT_EQ(c.get("/livez").status, 200);
  EXPECT_TRUE(server.alive());
  EXPECT_EQ(server.stop(), 0);
  EXPECT_NE(read_file(log).find("received SIGTERM"), std::string::npos);
  EXPECT_EQ(read_file(log + ".1").find("reopened"), std::string::npos);
}

TEST(e2e_operations, sighup_without_a_log_file_is_logged_and_harmless) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  http_client c{server.port()};
  for (int i = 0; i < 250 && server.log().find("SIGHUP") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_NE(server.log().find("received SIGHUP"), std::string::npos) << server.log();
  EXPECT_EQ(c.get("/readyz").status, 200);
  EXPECT_EQ(server.stop(), 0);
}
