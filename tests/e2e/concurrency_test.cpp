// End-to-end: concurrent requests against the real binary, each thread with
// its own connection.

#include "tests/support/e2e.hpp"

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd::test;

namespace {

/// Runs `body(i)` on `n` threads that start together; returns when all end.
template <class F>
void run_parallel(int n, F body) {
  std::atomic<int> waiting{n};
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      waiting.fetch_sub(1);
      while (waiting.load() > 0)
        std::this_thread::yield();
      body(i);
    });
  }
  for (auto& t : threads)
    t.join();
}

std::size_t files_in(const std::string& dir) {
  namespace fs = boost::filesystem;
  if (!fs::exists(dir))
    return 0;
  std::size_t n = 0;
  for (fs::directory_iterator i{dir}, end; i != end; ++i)
    ++n;
  return n;
}

} // namespace

TEST(e2e_concurrency, only_one_of_many_parallel_finalizes_succeeds) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client admin{server.port()};
  auto job = create_job_analysis(server, admin);
  auto id = job.id;
  auto auth = job.auth;

  constexpr int n = 40;
  std::vector<http_response> responses(n);
  run_parallel(n, [&](int i) {
    http_client c{server.port()};
    auto body = nlohmann::json{{"results", {{"winner", i}}}}.dump();
    responses[i] = c.patch("/api/analyses/" + id, body, auth);
  });

  int ok = 0, conflict = 0, winner = -1;
  for (int i = 0; i < n; ++i) {
    auto& res = responses[i];
    if (res.status == 200) {
      ++ok;
      winner = i;
      EXPECT_EQ(res.json().at("ready"), true);
    } else if (res.status == 409) {
      ++conflict;
      EXPECT_EQ(res.json(), nlohmann::json({{"id", "conflict"},
                                            {"message", "There is already a result for this analysis"}}));
    } else {
      ADD_FAILURE() << "unexpected status " << res.status << ": " << res.body;
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflict, n - 1);

  // The stored results are the winner's.
  auto got = admin.get("/api/analyses/" + id, auth);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json().at("results"), nlohmann::json({{"winner", winner}}));
  EXPECT_EQ(server.stop(), 0);
}

TEST(e2e_concurrency, only_one_of_many_parallel_uploads_of_one_name_succeeds) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client admin{server.port()};
  auto job = create_job_analysis(server, admin);
  auto id = job.id;
  auto auth = job.auth;

  constexpr int n = 30;
  std::vector<http_response> responses(n);
  run_parallel(n, [&](int i) {
    http_client c{server.port()};
    responses[i] = upload_named(c, id, "results.fa", std::string(64 * 1024, char('a' + i % 26)), auth);
  });

  int created = 0, conflict = 0;
  for (auto& res : responses) {
    if (res.status == 201) {
      ++created;
    } else if (res.status == 409) {
      ++conflict;
      EXPECT_EQ(res.json(), nlohmann::json({{"id", "conflict"},
                                            {"message", "File is already associated with analysis"}}));
    } else {
      ADD_FAILURE() << "unexpected status " << res.status << ": " << res.body;
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(conflict, n - 1);

  auto got = admin.get("/api/analyses/" + id, auth);
  ASSERT_EQ(got.status, 200);
  ASSERT_EQ(got.json().at("files").size(), 1u);
  EXPECT_EQ(got.json().at("files")[0].at("name"), "results.fa");
  EXPECT_EQ(files_in(server.data_dir() + "/analyses/" + id), 1u);
  EXPECT_EQ(server.stop(), 0);
}

TEST(e2e_concurrency, parallel_uploads_of_different_names_all_succeed) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client admin{server.port()};
  auto job = create_job_analysis(server, admin);
  auto id = job.id;
  auto auth = job.auth;

  constexpr int n = 30;
  std::vector<http_response> responses(n);
  run_parallel(n, [&](int i) {
    http_client c{server.port()};
    responses[i] = upload_named(c, id, "part-" + std::to_string(i) + ".fa",
                          std::string(1000 + i, char('a' + i % 26)), auth);
  });

  std::set<std::uint64_t> ids;
  for (int i = 0; i < n; ++i) {
    auto& res = responses[i];
    ASSERT_EQ(res.status, 201) << res.body;
    auto file = res.json();
    EXPECT_EQ(file.at("name"), "part-" + std::to_string(i) + ".fa");
    EXPECT_EQ(file.at("size"), 1000 + i);
    ids.insert(file.at("id").get<std::uint64_t>());
  }
  EXPECT_EQ(ids.size(), std::size_t{n});
  EXPECT_EQ(*ids.begin(), 1u);
  EXPECT_EQ(*ids.rbegin(), std::uint64_t{n});

  auto got = admin.get("/api/analyses/" + id, auth);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json().at("files").size(), std::size_t{n});
  EXPECT_EQ(files_in(server.data_dir() + "/analyses/" + id), std::size_t{n});

  // Every file downloads with its own bytes.
  for (int i = 0; i < n; ++i) {
    auto fid = responses[i].json().at("id").get<std::uint64_t>();
    auto dl = admin.get("/api/analyses/" + id + "/files/" + std::to_string(fid), auth);
    ASSERT_EQ(dl.status, 200);
    EXPECT_EQ(dl.body, std::string(1000 + i, char('a' + i % 26)));
  }
  EXPECT_EQ(server.stop(), 0);
}

// The server writes most of an upload straight from its read buffers, and
// copies the bytes its multipart reader withheld as a possible delimiter: a
// file full of delimiter prefixes mixes the two on every read.
TEST(e2e_concurrency, an_upload_full_of_delimiter_prefixes_round_trips) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  auto job = create_job_analysis(server, c);
  std::string ct;
  multipart_body("", ct);
  const std::string delimiter = "\r\n--" + ct.substr(ct.find("boundary=") + 9);
  std::string bytes;
  for (std::size_t k = 0; bytes.size() < 3 * 1024 * 1024; k = (k + 7) % delimiter.size()) {
    bytes += delimiter.substr(0, k);
    bytes += static_cast<char>('a' + k % 26);
    bytes.append(k * 331 % 4093, static_cast<char>(k));
  }
  auto res = upload_named(c, job.id, "prefixes.bin", bytes, job.auth);
  ASSERT_EQ(res.status, 201) << res.body;
  auto dl = c.get("/api/analyses/" + job.id + "/files/1", job.auth);
  ASSERT_EQ(dl.status, 200);
  EXPECT_EQ(dl.body.size(), bytes.size());
  EXPECT_TRUE(dl.body == bytes);
  EXPECT_EQ(server.stop(), 0);
}

TEST(e2e_concurrency, multi_megabyte_upload_round_trips) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  auto job = create_job_analysis(server, c);
  auto id = job.id;
  auto auth = job.auth;

  std::string bytes(8 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
  auto res = upload_named(c, id, "big.bam", bytes, auth);
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("size"), bytes.size());
  EXPECT_EQ(res.header("location"), "/api/analyses/" + id + "/files/1");

  auto dl = c.get("/api/analyses/" + id + "/files/1", auth);
  ASSERT_EQ(dl.status, 200);
  EXPECT_EQ(dl.body.size(), bytes.size());
  EXPECT_TRUE(dl.body == bytes);
  EXPECT_EQ(boost::filesystem::file_size(server.data_dir() + "/analyses/" + id + "/1-big.bam"),
            bytes.size());
  EXPECT_EQ(server.stop(), 0);
}
