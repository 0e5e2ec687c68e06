// Read leases on real nodes (actors/read_leases.hpp): a node that does not
// own an analysis answers its job's GETs from a replica, and every change
// is seen on every node once it is answered, whichever node it went to and
// whichever nodes held replicas; a holder that dies only delays the owner's
// answer until its lease runs out.

#include "tests/support/cluster_process.hpp"
#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd::test;

namespace {

// The sum over `ports` of the metric line matching `line` (a regex whose
// group 1 is the value); 0 where a node has none.
double metric_sum(const std::vector<std::uint16_t>& ports, const std::string& token,
                  const std::string& line) {
  double sum = 0;
  std::regex re{line};
  for (auto port : ports) {
    http_client c{port};
    auto text = c.get("/metrics", bearer(token)).body;
    std::smatch m;
    if (std::regex_search(text, m, re))
      sum += std::stod(m[1]);
  }
  return sum;
}

const std::string replica_reads = "analysisd_analysis_reads_total\\{source=\"replica\"\\} ([0-9.e+]+)";
const std::string leases_granted = "\nanalysisd_cluster_read_leases_granted_total ([0-9.e+]+)";
const std::string leases_revoked = "\nanalysisd_cluster_read_leases_revoked_total ([0-9.e+]+)";

// A created and acquired analysis; nullopt (and a test failure) if the
// cluster refused it. A create answered 503, as a cluster may answer a
// write whose owner it cannot reach in time (SPEC: with Retry-After), is
// sent again, as a client would, for at most 10 s: this test is about what
// reads show after a change, and a loaded host can make a create wait.
std::optional<job_analysis> create_on(http_client& c, const std::string& token) {
  job_analysis a;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto res = c.post("/admin/analyses", create_body().dump(), bearer(token));
  while (res.status == 503 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    res = c.post("/admin/analyses", create_body().dump(), bearer(token));
  }
  if (res.status != 201) {
    ADD_FAILURE() << "create: " << res.status << " " << res.body;
    return std::nullopt;
  }
  a.doc = res.json();
  a.id = a.doc.at("id").get<std::string>();
  a.job_id = a.doc.at("job").at("id").get<std::string>();
  auto acquired = c.patch("/admin/jobs/" + a.job_id, R"({"acquired":true})", bearer(token));
  if (acquired.status != 200) {
    ADD_FAILURE() << "acquire: " << acquired.status << " " << acquired.body;
    return std::nullopt;
  }
  a.key = acquired.json().at("key").get<std::string>();
  a.auth = basic_auth(a.job_id, a.key);
  return a;
}

} // namespace

TEST(e2e_cluster, a_change_is_seen_on_every_node_once_answered_though_others_hold_replicas) {
  temp_dir dir;
  cluster_process cluster{dir.path() + "/data", cluster_process_options{}};
  auto token = cluster.admin_token();
  auto ports = cluster.ports();
  auto granted_before = metric_sum(ports, token, leases_granted);
  auto replica_before = metric_sum(ports, token, replica_reads);
  // Jobs that change their analysis on one node and read it on every node
  // right after, each node having read it before (two thirds of them hold
  // a replica then).
  constexpr int jobs = 4, rounds = 6;
  std::atomic<int> wrong{0};
  std::vector<std::string> failures(jobs);
  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t) {
    threads.emplace_back([&, t] {
      std::deque<http_client> nodes;
      for (auto port : ports)
        nodes.emplace_back(port);
      auto fail = [&](const std::string& what) {
        ++wrong;
        failures[t] += what + "\n";
      };
      auto read_everywhere = [&](const std::string& target, const std::string& auth,
                                 auto&& check) {
        for (std::size_t n = 0; n < nodes.size(); ++n) {
          auto res = nodes[n].get(target, auth);
          if (!check(res))
            fail("node " + std::to_string(n) + " " + target + ": " + std::to_string(res.status)
                 + " " + res.body.substr(0, 160));
        }
      };
      for (int r = 0; r < rounds; ++r) {
        auto created = create_on(nodes[(t + r) % nodes.size()], token);
        if (!created) {
          fail("create refused");
          continue;
        }
        auto& job = *created;
        auto target = "/api/analyses/" + job.id;
        // Twice on each node: the first GET of a non-owner takes the lease.
        for (int k = 0; k < 2; ++k)
          read_everywhere(target, job.auth, [](const http_response& res) {
            return res.status == 200 && res.json()["files"].empty();
          });
        auto& writer = nodes[(t + r + 1) % nodes.size()];
        auto up = upload_named(writer, job.id, "r.fa", ">x\n", job.auth);
        if (up.status != 201)
          fail("upload: " + std::to_string(up.status) + " " + up.body);
        read_everywhere(target, job.auth, [](const http_response& res) {
          return res.status == 200 && res.json()["files"].size() == 1;
        });
        if (r % 2 == 0) {
          auto fin = writer.patch(target, R"({"results":{"n":1}})", job.auth);
          if (fin.status != 200)
            fail("finalize: " + std::to_string(fin.status) + " " + fin.body);
          read_everywhere(target, job.auth, [&](const http_response& res) {
            return res.status == 200 && res.json()["ready"] == true && res.body == fin.body;
          });
        } else {
          auto del = writer.del(target, job.auth);
          if (del.status != 204)
            fail("delete: " + std::to_string(del.status) + " " + del.body);
          read_everywhere(target, job.auth,
                          [](const http_response& res) { return res.status == 404; });
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(wrong.load(), 0) << [&] {
    std::string all;
    for (auto& f : failures)
      all += f;
    return all;
  }();
  // The replicas were there to be revoked: the test could fail.
  EXPECT_GT(metric_sum(ports, token, leases_granted), granted_before);
  EXPECT_GT(metric_sum(ports, token, replica_reads), replica_before);
  EXPECT_GT(metric_sum(ports, token, leases_revoked), 0);
}

// A node that holds replicas dies: the owner cannot revoke them, and
// answers the change once their lease ran out (the killed node cannot
// serve them any more either way), not never.
TEST(e2e_cluster, a_change_waits_out_the_lease_of_a_holder_that_died) {
  temp_dir dir;
  cluster_process_options opts;
  opts.lease_ttl_ms = 10000; // the killed node's shards stay its own: only its replicas matter
  opts.args = {"--read-lease-ms", "1500"};
  cluster_process cluster{dir.path() + "/data", opts};
  auto token = cluster.admin_token();
  auto ports = cluster.ports();
  http_client node0{ports[0]};
  http_client others{std::vector<std::uint16_t>{ports[1], ports[2]}};
  // Analyses that node 0 reads but does not own: it holds their replicas.
  std::vector<job_analysis> held;
  for (int k = 0; k < 40 && held.size() < 3; ++k) {
    auto created = create_on(others, token);
    ASSERT_TRUE(created);
    auto job = *created;
    auto before = metric_sum({ports[0]}, token, replica_reads);
    ASSERT_EQ(node0.get("/api/analyses/" + job.id, job.auth).status, 200);
    ASSERT_EQ(node0.get("/api/analyses/" + job.id, job.auth).status, 200);
    if (metric_sum({ports[0]}, token, replica_reads) > before)
      held.push_back(job);
  }
  ASSERT_EQ(held.size(), 3u) << "node 0 held no replicas";
  cluster.kill(0);
  for (auto& job : held) {
    auto start = std::chrono::steady_clock::now();
    // Finalized through a node that owns it or forwards it to its owner:
    // answered, though the revocation cannot reach node 0.
    auto fin = others.patch("/api/analyses/" + job.id, R"({"results":{"n":1}})", job.auth);
    EXPECT_EQ(fin.status, 200) << fin.body;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    auto res = others.get("/api/analyses/" + job.id, job.auth);
    EXPECT_EQ(res.json()["ready"], true) << res.body;
  }
}
