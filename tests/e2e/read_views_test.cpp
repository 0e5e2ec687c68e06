// End-to-end: GETs of an analysis whose actor runs are answered from its
// published view on the connection's thread (DESIGN.md, "Reads"), with the
// same answers as the actors give, and a client always reads its own writes.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd::test;

namespace {

// <family>{source="<source>"} from /metrics; -1 if it is not there.
double by_source(server_process& server, http_client& c, const std::string& family,
                 const std::string& source) {
  auto text = c.get("/metrics", bearer(server.admin_token())).body;
  std::smatch m;
  std::regex line{family + "\\{source=\"" + source + "\"\\} ([0-9.e+]+)"};
  if (!std::regex_search(text, m, line))
    return -1;
  return std::stod(m[1]);
}

double reads(server_process& server, http_client& c, const std::string& source) {
  return by_source(server, c, "analysisd_analysis_reads_total", source);
}

double heads(server_process& server, http_client& c, const std::string& source) {
  return by_source(server, c, "analysisd_finalize_heads_total", source);
}

http_response finalize(http_client& c, const std::string& id, const std::string& auth) {
  return c.patch("/api/analyses/" + id, R"({"results":{"hits":1}})", auth);
}

double requests(server_process& server, http_client& c, const std::string& status) {
  auto text = c.get("/metrics", bearer(server.admin_token())).body;
  std::smatch m;
  std::regex line{"analysisd_http_requests_total\\{method=\"GET\",route=\"/api/analyses/"
                  "\\{analysis_id\\}\",status=\"" + status + "\"\\} ([0-9.e+]+)"};
  if (!std::regex_search(text, m, line))
    return 0;
  return std::stod(m[1]);
}

} // namespace

TEST(e2e_read_views, gets_of_a_live_analysis_are_answered_from_its_view_as_the_actors_would) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  auto job = create_job_analysis(server, c);
  auto other = create_job_analysis(server, c);
  auto target = "/api/analyses/" + job.id;
  // The first GET spawns the analysis's actor, which publishes its view.
  auto first = c.get(target, job.auth);
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(c.get("/api/analyses/" + other.id, other.auth).status, 200);
  auto from_views = reads(server, c, "view");
  auto from_actors = reads(server, c, "actors");
  ASSERT_GE(from_views, 0) << "no analysisd_analysis_reads_total in /metrics";
  constexpr int n = 20;
  for (int k = 0; k < n; ++k) {
    auto res = c.get(target, job.auth);
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.body, first.body);
    EXPECT_EQ(res.header("etag"), first.header("etag"));
    EXPECT_EQ(res.header("content-type"), "application/json");
    EXPECT_FALSE(res.header("x-request-id").empty());
  }
  auto poll = c.send({"GET", target, {{"Authorization", job.auth}, {"If-None-Match", first.header("etag")}}, ""});
  EXPECT_EQ(poll.status, 304);
  EXPECT_EQ(poll.body, "");
  EXPECT_EQ(poll.header("etag"), first.header("etag"));
  EXPECT_EQ(poll.header("content-length"), "");
  // Another job's analysis: 403, as the actors say it.
  expect_error(c.get("/api/analyses/" + other.id, job.auth), 403, "forbidden", "Insufficient rights");
  EXPECT_EQ(c.get("/admin/analyses/" + job.id, bearer(server.admin_token())).body, first.body);
  EXPECT_EQ(reads(server, c, "view"), from_views + n + 3) << "the view path was not taken";
  EXPECT_EQ(reads(server, c, "actors"), from_actors);
  // What the views cannot decide goes to the actors: a wrong key (401).
  expect_error(c.get(target, basic_auth(job.job_id, std::string(64, '0'))), 401,
               "unauthorized", "Invalid authorization header");
  EXPECT_EQ(reads(server, c, "actors"), from_actors + 1);
  // Requests answered from views are counted and logged like any other.
  EXPECT_EQ(requests(server, c, "200"), n + 2);
  EXPECT_EQ(requests(server, c, "304"), 1);
  EXPECT_EQ(requests(server, c, "403"), 1);
  ASSERT_EQ(server.stop(), 0);
  auto log = server.log();
  auto lines = [&](const std::string& status) {
    std::size_t count = 0;
    auto pattern = "info request method=GET route=/api/analyses/{analysis_id} status=" + status + " ";
    for (auto at = log.find(pattern); at != std::string::npos; at = log.find(pattern, at + 1))
      ++count;
    return count;
  };
  EXPECT_EQ(lines("200"), std::size_t(n) + 2) << "access-log lines of the GETs";
  EXPECT_EQ(lines("304"), 1u);
  EXPECT_EQ(lines("403"), 1u);
}

TEST(e2e_read_views, pipelined_gets_answered_from_views_are_all_answered_in_order) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  auto job = create_job_analysis(server, c);
  auto first = c.get("/api/analyses/" + job.id, job.auth);
  ASSERT_EQ(first.status, 200);
  std::string batch;
  constexpr int n = 40;
  for (int k = 0; k < n; ++k) {
    batch += "GET /api/analyses/" + job.id + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + job.auth
             + "\r\n";
    if (k % 2 == 1)
      batch += "If-None-Match: " + first.header("etag") + "\r\n";
    batch += "\r\n";
  }
  batch += "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n";
  http_client p{server.port()};
  std::vector<http_response> res;
  res.push_back(p.send_raw(batch));
  for (int k = 1; k <= n; ++k)
    res.push_back(p.read_response());
  for (int k = 0; k < n; ++k) {
    ASSERT_EQ(res[k].status, k % 2 == 1 ? 304 : 200) << "response " << k;
    if (k % 2 == 0) {
      EXPECT_EQ(res[k].body, first.body);
    }
  }
  EXPECT_EQ(res[n].body, R"({"status":"ok"})");
  EXPECT_EQ(p.get("/api/analyses/" + job.id, job.auth).status, 200) << "the connection goes on";
}

TEST(e2e_read_views, concurrent_clients_read_their_own_writes) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client setup{server.port()};
  constexpr int clients = 4, rounds = 10;
  std::vector<job_analysis> jobs;
  for (int k = 0; k < clients; ++k)
    jobs.push_back(create_job_analysis(server, setup));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      http_client c{server.port()};
      auto& job = jobs[t];
      auto target = "/api/analyses/" + job.id;
      for (int k = 0; k < rounds; ++k) {
        if (upload_named(c, job.id, "f" + std::to_string(k) + ".fa", ">x\n", job.auth).status != 201) {
          ++wrong;
          return;
        }
        auto res = c.get(target, job.auth);
        if (res.status != 200 || res.json()["files"].size() != std::size_t(k) + 1)
          ++wrong;
      }
      auto fin = c.patch(target, R"({"results":{"n":1}})", job.auth);
      auto after = c.get(target, job.auth);
      if (fin.status != 200 || after.status != 200 || after.json()["ready"] != true
          || after.body != fin.body)
        ++wrong;
      // A removed analysis is never served again: fresh ones, each read
      // (so that its view is published) then removed.
      for (int k = 0; k < 3; ++k) {
        http_client admin{server.port()};
        auto gone = create_job_analysis(server, admin);
        auto gone_target = "/api/analyses/" + gone.id;
        if (c.get(gone_target, gone.auth).status != 200
            || c.del(gone_target, gone.auth).status != 204)
          ++wrong;
        auto res = c.get(gone_target, gone.auth);
        if (res.status != 404)
          ++wrong;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(reads(server, setup, "view"), 0);
}

TEST(e2e_read_views, an_acquire_shows_in_the_next_get) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  auto admin = bearer(server.admin_token());
  auto created = c.post("/admin/analyses",
                        R"({"workflow":"w","sample":{"id":"s","name":"S"},"index":{"id":"i","version":0},)"
                        R"("user":{"id":"u"},"reference":{"id":"r","name":"R","data_type":"genome"}})",
                        admin);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json()["id"], job_id = created.json()["job"]["id"];
  auto before = c.get("/admin/analyses/" + id, admin);
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.json()["job"]["state"], "waiting");
  ASSERT_EQ(c.get("/admin/analyses/" + id, admin).status, 200); // from its view
  auto acquired = c.patch("/admin/jobs/" + job_id, R"({"acquired":true})", admin);
  ASSERT_EQ(acquired.status, 200);
  auto after = c.get("/admin/analyses/" + id, admin);
  EXPECT_EQ(after.json()["job"]["state"], "running");
  EXPECT_NE(after.header("etag"), before.header("etag"));
  auto auth = basic_auth(job_id, acquired.json()["key"].get<std::string>());
  EXPECT_EQ(c.get("/api/analyses/" + id, auth).body, after.body);
}

// The head of a finalize is authorized on the connection's thread from the
// job credentials the registry publishes for every job, whether its
// analysis has an actor or not, and after a restart too; whatever they
// cannot decide goes to the actors, with the answers SPEC.md gives.
TEST(e2e_read_views, finalize_heads_are_authorized_from_the_published_job_credentials) {
  temp_dir dir;
  const std::string data = dir.path() + "/data";
  job_analysis a, b, gone;
  {
    server_process server{data};
    http_client c{server.port()};
    a = create_job_analysis(server, c);
    b = create_job_analysis(server, c);
    gone = create_job_analysis(server, c);
    ASSERT_EQ(heads(server, c, "view"), 0) << "no analysisd_finalize_heads_total in /metrics";
    // Nothing has read `a`: it has no actor.
    auto done = finalize(c, a.id, a.auth);
    ASSERT_EQ(done.status, 200) << done.body;
    EXPECT_EQ(nlohmann::json::parse(done.body).at("ready"), true);
    EXPECT_EQ(heads(server, c, "view"), 1);
    EXPECT_EQ(heads(server, c, "actors"), 0);
    expect_error(finalize(c, a.id, a.auth), 409, "conflict",
                 "There is already a result for this analysis");
    EXPECT_EQ(heads(server, c, "view"), 2);
    expect_error(finalize(c, a.id, basic_auth(a.job_id, std::string(64, '0'))), 401,
                 "unauthorized", "Invalid authorization header");
    expect_error(finalize(c, b.id, a.auth), 403, "forbidden", "Insufficient rights");
    ASSERT_EQ(c.del("/admin/analyses/" + gone.id, bearer(server.admin_token())).status, 204);
    expect_error(finalize(c, gone.id, gone.auth), 404, "not_found", "Not found");
    EXPECT_EQ(heads(server, c, "view"), 2);
    EXPECT_EQ(heads(server, c, "actors"), 3) << "401, 403 and 404 are the actors'";
    ASSERT_EQ(server.stop(), 0);
  }
  // Recovered jobs are published before the service is ready.
  server_process server{data};
  http_client c{server.port()};
  auto done = finalize(c, b.id, b.auth);
  ASSERT_EQ(done.status, 200) << done.body;
  expect_error(finalize(c, gone.id, gone.auth), 404, "not_found", "Not found");
  EXPECT_EQ(heads(server, c, "view"), 1);
  EXPECT_EQ(heads(server, c, "actors"), 1);
}
