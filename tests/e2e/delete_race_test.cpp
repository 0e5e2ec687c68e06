// End-to-end: a DELETE racing other requests on the same analysis, against
// the real binary. Each round creates an analysis and sends, in parallel on
// six connections, two uploads, the DELETE and three GETs. Whatever the order
// they are served in, each gets its answer from SPEC.md (201 or 404 for an
// upload, 204 for the DELETE, 200 or 404 for a GET): never a 5xx, never a
// dropped connection.
//
// ANALYSISD_DELETE_RACE_ROUNDS sets the number of rounds (default 1000, 250
// against a sanitized server); the run stops early after two minutes, having
// done at least 100 rounds.

#include "tests/support/e2e.hpp"

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd::test;

namespace {

/// A reusable barrier for `n` threads (std::barrier is C++20).
class barrier {
public:
  explicit barrier(int n) : n_(n) {
  }
  void wait() {
    std::unique_lock<std::mutex> lock{mutex_};
    auto gen = generation_;
    if (++arrived_ == n_) {
      arrived_ = 0;
      ++generation_;
      cv_.notify_all();
      return;
    }
    cv_.wait(lock, [&] { return gen != generation_; });
  }

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int n_;
  int arrived_ = 0;
  std::uint64_t generation_ = 0;
};

} // namespace

TEST(e2e_delete_race, requests_racing_a_delete_get_404_never_500) {
  temp_dir dir;
  server_process server{dir.path() + "/data"};
  http_client admin{server.port()};
  // A quarter of the rounds against a sanitized server, where a round costs
  // three times as long (the dev stage runs all of them).
  const int rounds = env_int("ANALYSISD_DELETE_RACE_ROUNDS", server_sanitized() ? 250 : 1000);
  const auto budget = std::chrono::seconds(120);
  constexpr int n_workers = 6; // 2 uploads, 1 DELETE, 3 GETs

  job_analysis current;
  bool done = false;
  barrier start{n_workers + 1}, finish{n_workers + 1};
  std::mutex mutex;
  std::map<std::string, int> counts;      // "upload 201", "get 404", ...
  std::vector<std::string> failures;

  auto worker = [&](int w) {
    http_client c{server.port()};
    for (int round = 0;; ++round) {
      start.wait();
      if (done)
        return;
      std::string what;
      http_response res;
      bool ok = false;
      if (w < 2) {
        what = "upload";
        res = upload_named(c, current.id, "f" + std::to_string(w) + ".fa", ">x\nACGT\n",
                           current.auth);
        ok = res.status == 201 || res.status == 404;
      } else if (w == 2) {
        // Now and then a little later, so that some uploads win the race.
        std::this_thread::sleep_for(std::chrono::microseconds((round % 4) * 1500));
        what = "delete";
        res = c.del("/api/analyses/" + current.id, current.auth);
        ok = res.status == 204;
      } else {
        what = "get";
        res = c.get("/api/analyses/" + current.id, current.auth);
        ok = res.status == 200 || res.status == 404;
      }
      {
        std::lock_guard<std::mutex> lock{mutex};
        ++counts[what + " " + std::to_string(res.status)];
        if (!ok && failures.size() < 20)
          failures.push_back("round " + std::to_string(round) + ": " + what + " answered "
                             + std::to_string(res.status) + " " + res.body);
      }
      finish.wait();
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < n_workers; ++w)
    threads.emplace_back(worker, w);

  auto began = std::chrono::steady_clock::now();
  int played = 0;
  for (; played < rounds && std::chrono::steady_clock::now() - began < budget; ++played) {
    current = create_job_analysis(server, admin);
    start.wait();
    finish.wait();
    // Once the round is over the analysis is gone, files and all.
    auto after = admin.get("/admin/analyses/" + current.id, bearer(server.admin_token()));
    if (after.status != 404) {
      std::lock_guard<std::mutex> lock{mutex};
      if (failures.size() < 20)
        failures.push_back("after round " + std::to_string(played) + ": GET answered "
                           + std::to_string(after.status));
    }
    if (boost::filesystem::exists(server.data_dir() + "/analyses/" + current.id)) {
      std::lock_guard<std::mutex> lock{mutex};
      if (failures.size() < 20)
        failures.push_back("after round " + std::to_string(played) + ": its files remain");
    }
  }
  done = true;
  start.wait();
  for (auto& t : threads)
    t.join();

  std::cout << "delete race: " << played << " rounds in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - began)
                 .count()
            << " ms:";
  int server_errors = 0;
  for (auto& [what, n] : counts) {
    std::cout << " " << what << " x" << n << ";";
    if (what.size() > 4 && what[what.size() - 3] == '5')
      server_errors += n;
  }
  std::cout << " " << server_errors << " responses of 5xx" << std::endl;
  EXPECT_GE(played, std::min(rounds, 100));
  EXPECT_EQ(server_errors, 0);
  for (auto& f : failures)
    ADD_FAILURE() << f;
  EXPECT_TRUE(server.alive()) << server.log();
}
