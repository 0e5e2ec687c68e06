#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>

using namespace analysisd::test;

TEST(e2e_smoke, server_starts_and_reports_health) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  auto res = c.get("/healthz");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.json(), nlohmann::json({{"status", "ok"}}));
  EXPECT_EQ(server.stop(), 0);
}
