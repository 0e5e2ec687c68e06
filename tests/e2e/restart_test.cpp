// End-to-end: every acknowledged change survives a graceful stop and a SIGKILL.

#include "tests/support/cluster_process.hpp"
#include "tests/support/e2e.hpp"

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd::test;

namespace {

struct job {
  std::string id;   ///< Analysis id.
  std::string auth; ///< Basic credentials of its job.
  std::map<std::uint64_t, std::string> files; ///< File id -> bytes.
  nlohmann::json doc;                         ///< Document as last acknowledged.
};

/// A mix of states: plain, with files, finalized with files, and removed ones.
struct fixture_state {
  std::vector<job> jobs;
  std::vector<std::string> removed; ///< Analysis ids.
};

fixture_state make_changes(server_process& server) {
  fixture_state st;
  http_client c{server.ports()};
  for (int i = 0; i < 4; ++i) {
    auto [doc, key] = server.create_acquired(c);
    job j;
    j.id = doc.at("id").get<std::string>();
    j.auth = basic_auth(doc.at("job").at("id").get<std::string>(), key);
    if (i >= 1) {
      for (int f = 0; f < i; ++f) {
        std::string bytes(10000 + 1000 * f + i, char('A' + f));
        bytes += "\n" + j.id;
        auto res = upload_named(c, j.id, "file-" + std::to_string(f) + ".fa", bytes, j.auth);
        EXPECT_EQ(res.status, 201) << res.body;
        j.files[res.json().at("id").get<std::uint64_t>()] = bytes;
      }
    }
    if (i >= 2) {
      auto res = c.patch("/api/analyses/" + j.id,
                         nlohmann::json{{"results", {{"hits", i}, {"name", j.id}}}}.dump(),
                         j.auth);
      EXPECT_EQ(res.status, 200) << res.body;
    }
    auto got = c.get("/api/analyses/" + j.id, j.auth);
    EXPECT_EQ(got.status, 200);
    j.doc = got.json();
    st.jobs.push_back(std::move(j));
  }
  // One removed by its job, one with files removed by the operator.
  {
    auto created = create_job_analysis(server, c);
    auto id = created.id;
    auto auth = created.auth;
    EXPECT_EQ(c.del("/api/analyses/" + id, auth).status, 204);
    st.removed.push_back(id);
  }
  {
    auto created = create_job_analysis(server, c);
    auto id = created.id;
    auto auth = created.auth;
    EXPECT_EQ(upload_named(c, id, "gone.fa", "bytes", auth).status, 201);
    EXPECT_EQ(c.patch("/api/analyses/" + id, R"({"results":{}})", auth).status, 200);
    EXPECT_EQ(c.del("/admin/analyses/" + id, bearer(server.admin_token())).status, 204);
    st.removed.push_back(id);
  }
  return st;
}

void expect_all_kept(server_process& server, const fixture_state& st) {
  http_client c{server.ports()};
  for (auto& j : st.jobs) {
    SCOPED_TRACE("analysis " + j.id);
    // The old key still authenticates, and the document is unchanged.
    auto got = c.get("/api/analyses/" + j.id, j.auth);
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.json(), j.doc);
    EXPECT_EQ(c.get("/admin/analyses/" + j.id, bearer(server.admin_token())).json(), j.doc);
    // Every file's bytes, on disk and through the API.
    for (auto& [fid, bytes] : j.files) {
      auto dl = c.get("/api/analyses/" + j.id + "/files/" + std::to_string(fid), j.auth);
      ASSERT_EQ(dl.status, 200) << dl.body;
      EXPECT_TRUE(dl.body == bytes) << "file " << fid << " differs";
    }
    // File ids are never reused: the next one follows the last.
    auto res = upload_named(c, j.id, "after-restart.fa", "x", j.auth);
    ASSERT_EQ(res.status, 201) << res.body;
    EXPECT_EQ(res.json().at("id"), j.files.size() + 1);
    // A finalized analysis stays finalized.
    if (j.doc.at("ready") == true) {
      auto again = c.patch("/api/analyses/" + j.id, R"({"results":{"x":1}})", j.auth);
      EXPECT_EQ(again.status, 409);
    }
  }
  for (auto& id : st.removed) {
    SCOPED_TRACE("removed analysis " + id);
    EXPECT_EQ(c.get("/admin/analyses/" + id, bearer(server.admin_token())).status, 404);
    EXPECT_FALSE(boost::filesystem::exists(server.data_dir() + "/analyses/" + id));
  }
  auto list = c.get("/admin/analyses?page=1&per_page=100", bearer(server.admin_token()));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("total_count"), st.jobs.size());
  // An acquired job cannot be acquired again.
  auto job_id = st.jobs.front().doc.at("job").at("id").get<std::string>();
  EXPECT_EQ(c.patch("/admin/jobs/" + job_id, R"({"acquired":true})", bearer(server.admin_token()))
              .status,
            400);
}

} // namespace

TEST(e2e_restart, graceful_restart_keeps_every_change) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  fixture_state st;
  {
    server_process server{data};
    st = make_changes(server);
    EXPECT_EQ(server.stop(), 0) << server.log();
  }
  server_process server{data};
  expect_all_kept(server, st);
  EXPECT_EQ(server.stop(), 0);
}

TEST(e2e_restart, sigkill_after_acknowledged_changes_loses_nothing) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  fixture_state st;
  {
    server_process server{data};
    st = make_changes(server);
    server.kill();
  }
  server_process server{data};
  expect_all_kept(server, st);
  EXPECT_EQ(server.stop(), 0);
}

TEST(e2e_restart, restart_twice_after_sigkill_and_stop_keeps_every_change) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  fixture_state st;
  {
    server_process server{data};
    st = make_changes(server);
    server.kill();
  }
  {
    server_process server{data};
    EXPECT_EQ(server.stop(), 0);
  }
  server_process server{data};
  expect_all_kept(server, st);
  EXPECT_EQ(server.stop(), 0);
}

TEST(e2e_restart, graceful_stop_writes_a_final_snapshot) {
  if (test_cluster_nodes() > 0)
    GTEST_SKIP() << "a cluster keeps its state in PostgreSQL: no snapshot in the data dir";
  temp_dir dir;
  auto data = dir.path() + "/data";
  server_process server{data};
  {
    http_client c{server.ports()};
    server.create_acquired(c);
  }
  EXPECT_EQ(server.stop(), 0);
  EXPECT_TRUE(boost::filesystem::exists(data + "/state/snapshot"));
  EXPECT_NE(server.log().find("final snapshot written"), std::string::npos) << server.log();
}

TEST(e2e_restart, a_removed_analysis_stays_404_for_its_job_and_its_id_is_never_reused) {
  temp_dir dir;
  auto data = dir.path() + "/data";
  std::string id, auth;
  {
    server_process server{data};
    http_client c{server.ports()};
    auto [doc, key] = server.create_acquired(c);
    id = doc.at("id").get<std::string>();
    auth = basic_auth(doc.at("job").at("id").get<std::string>(), key);
    ASSERT_EQ(c.del("/api/analyses/" + id, auth).status, 204);
    auto res = c.get("/api/analyses/" + id, auth);
    EXPECT_EQ(res.status, 404) << res.body;
    server.kill(); // the tombstone must come back from the journal
  }
  for (int round = 0; round < 2; ++round) {
    server_process server{data};
    http_client c{server.ports()};
    auto res = c.get("/api/analyses/" + id, auth);
    EXPECT_EQ(res.status, 404) << res.body;
    EXPECT_EQ(res.json().at("message"), "Not found");
    auto again = c.post("/admin/analyses", create_body(id).dump(), bearer(server.admin_token()));
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(again.json().at("message"), "Analysis already exists");
    EXPECT_EQ(server.stop(), 0); // the second round starts from the snapshot
  }
}

// SIGTERM while a request is in flight: the server answers it before it
// exits 0, and the change it acknowledged is there after the restart. The
// request is "in flight" for sure once the file's bytes are being written
// (its `.1.partial` exists); an upload that is written before the test sees
// that file proves nothing, so it tries again with a fresh analysis.
TEST(e2e_restart, sigterm_answers_the_request_in_flight_before_it_exits) {
  temp_dir dir;
  server_process server(dir.path() + "/data");
  const std::string bytes(64u << 20, 'q');
  bool seen_in_flight = false;
  for (int attempt = 0; attempt < 5 && !seen_in_flight; ++attempt) {
    http_client c{server.ports()};
    auto a = create_job_analysis(server, c);
    auto partial = server.data_dir() + "/analyses/" + a.id + "/.1.partial";
    http_response res;
    std::atomic<bool> answered{false};
    // To node 1 on a cluster: stop() stops it first, so that the upload in
    // flight is answered while its analysis's owner still runs.
    std::thread client([&] {
      http_client uploader{server.port()};
      res = upload_named(uploader, a.id, "big.fa", bytes, a.auth);
      answered = true;
    });
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!boost::filesystem::exists(partial) && std::chrono::steady_clock::now() < until
           && !answered)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    seen_in_flight = boost::filesystem::exists(partial);
    if (!seen_in_flight) {
      client.join();
      ASSERT_EQ(res.status, 201) << res.body;
      continue;
    }
    EXPECT_EQ(server.stop(), 0) << server.log();
    client.join();
    ASSERT_EQ(res.status, 201) << "the upload in flight at SIGTERM got no answer: " << res.body;
    // A cluster keeps its state in PostgreSQL: no snapshot, no journal here.
    const bool single = test_cluster_nodes() == 0;
    if (single) {
      EXPECT_NE(server.log().find("final snapshot written"), std::string::npos) << server.log();
    }
    server.restart();
    if (single) {
      EXPECT_NE(server.log().find("0 journal records replayed"), std::string::npos)
        << server.log();
    }
    http_client after{server.ports()};
    auto file = after.get("/api/analyses/" + a.id + "/files/1", a.auth);
    ASSERT_EQ(file.status, 200);
    EXPECT_EQ(file.body.size(), bytes.size());
    EXPECT_TRUE(file.body == bytes);
  }
  EXPECT_TRUE(seen_in_flight) << "no upload was ever seen in flight in 5 tries";
  EXPECT_EQ(server.stop(), 0);
}
