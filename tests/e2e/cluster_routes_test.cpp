// Cluster mode's own answers on real nodes (the contract suites run on a
// cluster too: ctest's e2e_cluster_contract): readiness, the cluster's
// metrics, the refused backup, and a node that leaves with SIGTERM handing
// its analyses over.

#include "tests/support/cluster_process.hpp"
#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <regex>

using namespace analysisd::test;

TEST(e2e_cluster, readiness_metrics_and_a_backup_a_cluster_cannot_make) {
  temp_dir dir;
  cluster_process cluster{dir.path() + "/data", cluster_process_options{}};
  http_client c{cluster.ports()};
  for (auto port : cluster.ports()) {
    http_client one{port};
    auto ready = one.get("/readyz");
    EXPECT_EQ(ready.status, 200) << ready.body;
    EXPECT_EQ(ready.json()["status"], "ok");
  }
  // Every shard is held by exactly one node, and each node sees 3 members.
  double held = 0;
  for (auto port : cluster.ports()) {
    http_client one{port};
    auto metrics = one.get("/metrics", bearer(cluster.admin_token()));
    ASSERT_EQ(metrics.status, 200);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(metrics.body, m,
                                  std::regex("\nanalysisd_cluster_shards_held ([0-9]+)")))
      << metrics.body;
    held += std::stod(m[1]);
    EXPECT_NE(metrics.body.find("\nanalysisd_cluster_members 3\n"), std::string::npos);
    EXPECT_NE(metrics.body.find("\nanalysisd_cluster_forwarded_requests_total "), std::string::npos);
  }
  EXPECT_EQ(held, cluster_process_options{}.shards);
  auto res = c.post("/admin/backup", R"({"path":")" + dir.path() + R"(/backup"})",
                    bearer(cluster.admin_token()));
  expect_error(res, 409, "conflict",
               "A cluster has no data dir to back up: back up its PostgreSQL database and shared volume");
}

// SIGTERM: the node hands its shards over and leaves, so the others serve
// its analyses at once, not after its leases expired.
TEST(e2e_cluster, a_node_stopped_with_sigterm_hands_its_analyses_over) {
  temp_dir dir;
  cluster_process_options opts;
  opts.lease_ttl_ms = 10000; // far longer than the checks below wait
  opts.heartbeat_ms = 200;
  cluster_process cluster{dir.path() + "/data", opts};
  auto token = bearer(cluster.admin_token());
  http_client c{cluster.ports()};
  std::vector<std::string> ids;
  for (int i = 0; i < 24; ++i) {
    auto res = c.post("/admin/analyses", create_body().dump(), token);
    ASSERT_EQ(res.status, 201) << res.body;
    ids.push_back(res.json()["id"].get<std::string>());
  }
  EXPECT_EQ(cluster.stop(0), 0) << cluster.log(0);
  http_client rest{std::vector<std::uint16_t>{cluster.ports()[1], cluster.ports()[2]}};
  auto start = std::chrono::steady_clock::now();
  for (auto& id : ids) {
    auto res = rest.get("/admin/analyses/" + id, token);
    EXPECT_EQ(res.status, 200) << id << ": " << res.body;
  }
  // Within a few heartbeats, far from the 10 s a lease would take to expire.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}
