// End-to-end crash harness: the real binary under concurrent load (creates,
// uploads of mixed sizes, finalizes, removes) is killed with SIGKILL at a
// random moment, restarted, and checked against what it acknowledged:
//   - every acknowledged change is there, whatever else was in flight;
//   - a change whose answer was lost (in flight at the kill) is either wholly
//     there or wholly absent;
//   - every listed file has all its bytes (never short, never different), and
//     no bytes lie on disk that no record names.
// Some cycles also kill the server again while it recovers.
//
// Besides the workers that each work on analyses of their own, groups of
// racers share a few analyses and send requests on them at the same time from
// several connections: finalize against finalize, upload against remove, GET
// during remove. Their answers say more than "acknowledged": a 404 means the
// removal was durable, a 409 to a finalize means another finalize was, and
// only one finalize of an analysis ever succeeds.
//
// Before the kill, a dropped connection or a 5xx other than 503/507 is a
// failure, recorded, and the worker goes on.
//
// ANALYSISD_CRASH_CYCLES sets the number of cycles (default 20, 6 against
// a sanitized server) for long runs; ANALYSISD_CRASH_SEED replays one run (the seed is printed).

#include "tests/support/e2e.hpp"

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd::test;
namespace fs = boost::filesystem;

namespace {

/// What the client knows of one change: acknowledged, or sent without an answer.
enum class known { acked, unsure };

/// The bytes of an upload, made again from their seed when checked.
std::string file_bytes(std::uint64_t seed, std::size_t size) {
  std::string out(size, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x);
  }
  return out;
}

struct tracked_file {
  std::size_t size = 0;
  std::uint64_t seed = 0;
  known state = known::unsure;
  std::uint64_t id = 0; ///< Known once acknowledged or seen after a restart.
};

struct tracked_analysis {
  std::string id;
  std::string job_id;
  std::string auth;             ///< Empty while the key is unknown.
  known created = known::unsure;
  std::map<std::string, tracked_file> files; ///< By name.
  std::optional<known> finalized;
  nlohmann::json results;
  std::optional<known> removed;
  int next_name = 0;
  /// Results of finalizes sent without a known outcome: one of them may be there.
  std::vector<nlohmann::json> candidates;
  int finalize_oks = 0;        ///< 200s to a finalize: never more than one.
  bool gone_seen = false;      ///< A request got 404: the removal is durable.
  bool finalized_seen = false; ///< A finalize got 409: a finalize is durable.
};

/// Everything the clients were told; guarded by `mutex`.
struct model {
  std::mutex mutex;
  std::map<std::string, tracked_analysis> analyses;
  std::vector<std::string> failures;
  std::size_t acked = 0; ///< Acknowledged changes, over all cycles.
  std::size_t lost_races = 0; ///< Racers' requests answered 404 or 409 (another won).

  void fail(const std::string& what) {
    std::lock_guard<std::mutex> lock{mutex};
    if (failures.size() < 50)
      failures.push_back(what);
  }
};

/// How a cycle's workers learn that the server is going away.
struct cycle_flags {
  std::atomic<bool> stop{false};        ///< Workers end.
  std::atomic<bool> terminating{false}; ///< SIGTERM sent: 503 and drops are expected.
  std::atomic<bool> killing{false};     ///< SIGKILL sent: drops are expected.
};

/// What an answer means for the worker that got it.
enum class verdict {
  as_expected, ///< One of the statuses the request may get: the caller decides.
  unknown,     ///< 503/507, or a drop at the end: the change's outcome is unknown; go on.
  failed,      ///< Recorded as a failure; go on.
  gone,        ///< The server is gone (killed or stopped): the worker ends.
};

/// Judges `res` against the statuses `expected`: 503 and 507 leave the
/// outcome unknown; a drop is the end if the server is being stopped or
/// killed, else a failure, as is any other status.
verdict judge(model& m, const cycle_flags& f, const std::string& what, const http_response& res,
              std::initializer_list<int> expected) {
  for (int e : expected)
    if (res.status == e)
      return verdict::as_expected;
  if (res.status == 0) {
    if (f.killing.load() || f.terminating.load() || f.stop.load())
      return verdict::gone;
    m.fail(what + ": the connection dropped without an answer");
    return verdict::failed;
  }
  if (res.status == 503 && f.terminating.load())
    return verdict::gone;
  if (res.status == 503 || res.status == 507)
    return verdict::unknown;
  m.fail(what + ": " + std::to_string(res.status) + " " + res.body);
  return verdict::failed;
}

std::string random_id(std::mt19937_64& rng) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id(8, 'a');
  for (auto& c : id)
    c = alphabet[rng() % 36];
  return id;
}

std::size_t random_size(std::mt19937_64& rng) {
  auto pick = rng() % 100;
  if (pick < 55)
    return rng() % 4096;                          // small, sometimes empty
  if (pick < 90)
    return 4096 + rng() % (256 * 1024);           // medium
  return (1u << 20) + rng() % (5u << 20);         // 1-6 MiB: often cut by the kill
}

/// Creates an analysis and acquires its job, recording both in the model;
/// the id, or "" if it did not happen (judged already).
std::string create_tracked(http_client& c, const std::string& admin, model& m,
                           const cycle_flags& f, std::mt19937_64& rng, bool& gone) {
  auto id = random_id(rng);
  {
    std::lock_guard<std::mutex> lock{m.mutex};
    if (m.analyses.count(id))
      return {};
    m.analyses[id].id = id;
  }
  auto res = c.post("/admin/analyses", create_body(id).dump(), admin);
  auto v = judge(m, f, "create " + id, res, {201});
  gone = v == verdict::gone;
  if (v != verdict::as_expected)
    return {};
  auto job_id = res.json().at("job").at("id").get<std::string>();
  {
    std::lock_guard<std::mutex> lock{m.mutex};
    m.analyses[id].created = known::acked;
    m.analyses[id].job_id = job_id;
    ++m.acked;
  }
  auto acq = c.patch("/admin/jobs/" + job_id, R"({"acquired":true})", admin);
  v = judge(m, f, "acquire " + job_id, acq, {200});
  gone = v == verdict::gone;
  if (v != verdict::as_expected)
    return {};
  std::lock_guard<std::mutex> lock{m.mutex};
  m.analyses[id].auth = basic_auth(job_id, acq.json().at("key").get<std::string>());
  ++m.acked;
  return id;
}

/// The analyses a worker (or a group of racers) works on.
struct work_pool {
  std::vector<std::string> ids; ///< Guarded by model::mutex when shared.
};

/// One load worker: works on the analyses of `pool` until the cycle ends.
/// With `racing`, the pool is shared by the racers of a group, and the
/// answers of requests that lost a race (404, 409) are expected. Every request
/// is recorded as unsure before it is sent and as acknowledged when its
/// success arrives.
void run_worker(std::uint16_t port, const std::string& admin, model& m, work_pool& pool,
                bool racing, std::uint64_t seed, const cycle_flags& f) {
  std::mt19937_64 rng{seed};
  http_client c{port};
  const std::size_t min_pool = racing ? 2 : 3;
  while (!f.stop.load()) {
    try {
      std::size_t pool_size;
      {
        std::lock_guard<std::mutex> lock{m.mutex};
        pool_size = pool.ids.size();
      }
      if (pool_size < min_pool || rng() % 100 < (racing ? 2 : 5)) {
        bool gone = false;
        auto id = create_tracked(c, admin, m, f, rng, gone);
        if (gone)
          return;
        if (!id.empty()) {
          std::lock_guard<std::mutex> lock{m.mutex};
          pool.ids.push_back(id);
        }
        continue;
      }
      std::string id, auth, name;
      bool finalized;
      {
        std::lock_guard<std::mutex> lock{m.mutex};
        if (pool.ids.empty())
          continue;
        id = pool.ids[rng() % pool.ids.size()];
        auto& a = m.analyses[id];
        auth = a.auth;
        finalized = a.finalized.has_value() || a.finalized_seen;
        name = "f" + std::to_string(a.next_name++) + ".fa";
      }
      // Drops the analysis from the pool (removed, or seen gone).
      auto forget = [&] {
        std::lock_guard<std::mutex> lock{m.mutex};
        pool.ids.erase(std::remove(pool.ids.begin(), pool.ids.end(), id), pool.ids.end());
      };
      auto op = rng() % 100;
      if (op < 55) {
        tracked_file tf;
        tf.size = racing ? rng() % 8192 : random_size(rng);
        tf.seed = rng();
        {
          std::lock_guard<std::mutex> lock{m.mutex};
          m.analyses[id].files[name] = tf;
        }
        auto res = upload_named(c, id, name, file_bytes(tf.seed, tf.size), auth);
        auto what = "upload " + id + "/" + name;
        auto v = racing ? judge(m, f, what, res, {201, 404}) : judge(m, f, what, res, {201});
        if (v == verdict::gone)
          return;
        if (v != verdict::as_expected)
          continue;
        std::lock_guard<std::mutex> lock{m.mutex};
        auto& a = m.analyses[id];
        if (res.status == 404) {
          a.files.erase(name); // never stored
          a.gone_seen = true;
          ++m.lost_races;
          continue;
        }
        auto& file = a.files[name];
        file.state = known::acked;
        file.id = res.json().at("id").get<std::uint64_t>();
        ++m.acked;
      } else if (op < 75 && (!finalized || racing)) {
        nlohmann::json results = {{"hits", rng() % 1000}, {"by", id}, {"note", "crash test"}};
        {
          std::lock_guard<std::mutex> lock{m.mutex};
          auto& a = m.analyses[id];
          if (a.finalized != known::acked)
            a.finalized = known::unsure;
          a.candidates.push_back(results);
        }
        auto res = c.patch("/api/analyses/" + id, nlohmann::json{{"results", results}}.dump(),
                           auth);
        auto what = "finalize " + id;
        auto v = racing ? judge(m, f, what, res, {200, 404, 409})
                        : judge(m, f, what, res, {200});
        if (v == verdict::gone)
          return;
        if (v != verdict::as_expected)
          continue;
        std::lock_guard<std::mutex> lock{m.mutex};
        auto& a = m.analyses[id];
        if (res.status == 404) {
          a.gone_seen = true;
          ++m.lost_races;
        } else if (res.status == 409) {
          a.finalized_seen = true;
          ++m.lost_races;
        } else {
          if (++a.finalize_oks > 1)
            m.failures.push_back("two finalizes of " + id + " succeeded");
          a.finalized = known::acked;
          a.results = results;
          ++m.acked;
        }
      } else if (op < 85) {
        // Removed by its job when it can be, else by the operator.
        {
          std::lock_guard<std::mutex> lock{m.mutex};
          auto& a = m.analyses[id];
          if (a.removed != known::acked)
            a.removed = known::unsure;
        }
        auto res = finalized ? c.del("/admin/analyses/" + id, admin)
                             : c.del("/api/analyses/" + id, auth);
        auto what = "remove " + id;
        auto v = racing ? judge(m, f, what, res, {204, 404, 409}) : judge(m, f, what, res, {204});
        if (v == verdict::gone)
          return;
        if (v != verdict::as_expected)
          continue;
        std::lock_guard<std::mutex> lock{m.mutex};
        auto& a = m.analyses[id];
        if (res.status == 409) {
          a.finalized_seen = true; // the job may not remove it; the operator will
          ++m.lost_races;
          continue;
        }
        if (res.status == 404) {
          a.gone_seen = true;
          ++m.lost_races;
        } else {
          a.removed = known::acked;
          ++m.acked;
        }
        pool.ids.erase(std::remove(pool.ids.begin(), pool.ids.end(), id), pool.ids.end());
      } else {
        auto res = c.get("/api/analyses/" + id, auth);
        auto what = "get " + id;
        auto v = racing ? judge(m, f, what, res, {200, 404}) : judge(m, f, what, res, {200});
        if (v == verdict::gone)
          return;
        if (v == verdict::as_expected && res.status == 404) {
          {
            std::lock_guard<std::mutex> lock{m.mutex};
            m.analyses[id].gone_seen = true;
            ++m.lost_races;
          }
          forget();
        }
      }
    } catch (const std::exception& ex) {
      // The connection could not be made again.
      if (f.killing.load() || f.terminating.load() || f.stop.load())
        return;
      m.fail(std::string{"cannot connect: "} + ex.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

/// Checks the restarted server against the model and settles every unsure
/// change to what the server shows. Full byte comparisons for the files
/// settled now and a sample of older ones; sizes on disk for all.
void check_and_settle(server_process& server, model& m, std::mt19937_64& rng) {
  http_client c{server.port()};
  auto admin = bearer(server.admin_token());
  std::size_t present = 0;
  for (auto it = m.analyses.begin(); it != m.analyses.end();) {
    auto& a = it->second;
    SCOPED_TRACE("analysis " + a.id);
    auto dir = server.data_dir() + "/analyses/" + a.id;
    auto got = c.get("/admin/analyses/" + a.id, admin);
    ASSERT_TRUE(got.status == 200 || got.status == 404) << got.status << " " << got.body;
    if (got.status == 404) {
      EXPECT_FALSE(a.created == known::acked && !a.removed)
        << "an acknowledged analysis is gone";
      EXPECT_FALSE(fs::exists(dir)) << "bytes of a gone analysis remain";
      it = m.analyses.erase(it);
      continue;
    }
    ++present;
    EXPECT_NE(a.removed, std::optional<known>{known::acked}) << "an acknowledged remove is undone";
    EXPECT_FALSE(a.gone_seen) << "a request got 404, yet the analysis is there";
    a.removed.reset();
    a.gone_seen = false;
    a.created = known::acked;
    auto doc = got.json();
    // Finalize: acknowledged ones are there with their results; unsure ones
    // are wholly there or not at all.
    if (doc.at("ready") == true) {
      EXPECT_TRUE(a.finalized.has_value()) << "finalized without being asked";
      auto results = doc.value("results", nlohmann::json{});
      if (a.finalized == known::acked) {
        EXPECT_EQ(results, a.results) << "not the results of the acknowledged finalize";
      } else {
        EXPECT_NE(std::find(a.candidates.begin(), a.candidates.end(), results),
                  a.candidates.end())
          << "results that no finalize sent: " << results;
      }
      a.results = results;
      a.finalized = known::acked;
      a.finalize_oks = 1;
    } else {
      EXPECT_NE(a.finalized, std::optional<known>{known::acked}) << "an acknowledged finalize is lost";
      EXPECT_FALSE(a.finalized_seen) << "a finalize got 409, yet the analysis is not finalized";
      EXPECT_TRUE(doc.at("results").is_null());
      a.finalized.reset();
    }
    a.candidates.clear();
    a.finalized_seen = false;
    // Files: the listed ones equal what was sent; acknowledged ones are listed.
    std::set<std::string> listed;
    for (auto& f : doc.at("files")) {
      auto name = f.at("name").get<std::string>();
      auto on_disk = f.at("name_on_disk").get<std::string>();
      listed.insert(on_disk);
      auto t = a.files.find(name);
      if (t == a.files.end()) {
        ADD_FAILURE() << "listed file " << name << " was never sent";
        continue;
      }
      auto fid = f.at("id").get<std::uint64_t>();
      EXPECT_EQ(f.at("size").get<std::size_t>(), t->second.size) << name;
      EXPECT_TRUE(t->second.state == known::unsure || t->second.id == fid) << name;
      boost::system::error_code ec;
      auto disk_size = fs::file_size(dir + "/" + on_disk, ec);
      EXPECT_FALSE(ec) << "listed file " << on_disk << " has no bytes on disk";
      EXPECT_EQ(disk_size, t->second.size) << "short file " << on_disk;
      if (t->second.state == known::unsure || rng() % 20 == 0) {
        auto dl = c.get("/admin/analyses/" + a.id + "/files/" + std::to_string(fid), admin);
        EXPECT_EQ(dl.status, 200) << name;
        EXPECT_TRUE(dl.body == file_bytes(t->second.seed, t->second.size))
          << "file " << name << " differs from what was sent";
      }
      t->second.state = known::acked;
      t->second.id = fid;
    }
    for (auto f = a.files.begin(); f != a.files.end();) {
      auto shown = std::any_of(doc.at("files").begin(), doc.at("files").end(),
                               [&](auto& d) { return d.at("name") == f->first; });
      if (!shown) {
        EXPECT_NE(f->second.state, known::acked) << "acknowledged file " << f->first << " lost";
        f = a.files.erase(f);
      } else {
        ++f;
      }
    }
    // Nothing on disk that no record names (no temporary or orphaned bytes).
    if (fs::exists(dir)) {
      for (auto& e : fs::directory_iterator(dir)) {
        EXPECT_TRUE(listed.count(e.path().filename().string()))
          << "unnamed bytes on disk: " << e.path();
      }
    }
    ++it;
  }
  // Nothing on disk for analyses that do not exist.
  auto root = server.data_dir() + "/analyses";
  if (fs::exists(root)) {
    for (auto& e : fs::directory_iterator(root)) {
      EXPECT_TRUE(m.analyses.count(e.path().filename().string()))
        << "bytes of an unknown analysis on disk: " << e.path();
    }
  }
  auto list = c.get("/admin/analyses?page=1&per_page=1", admin);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json().at("total_count").get<std::size_t>(), present);
}

/// How a load cycle ends.
enum class ending { sigkill, sigterm };

/// Runs `cycles` cycles of load, each ended by `how`, then a restart and
/// the check against the model.
void run_cycles(int cycles, ending how) {
  auto seed = static_cast<std::uint64_t>(
    env_int("ANALYSISD_CRASH_SEED", static_cast<int>(std::random_device{}() & 0x7fffffff)));
  std::cout << "crash harness: " << cycles << " cycles, seed " << seed << std::endl;
  std::mt19937_64 rng{seed};
  temp_dir dir;
  // A small rotation size, so that the ends also land in rotations and
  // compactions, and actors that retire after 50 ms idle.
  server_process server{dir.path() + "/data",
                        {"--journal-rotate-bytes", "65536", "--actor-idle-ms", "50"}};
  model m;
  constexpr std::size_t n_workers = 6;
  constexpr std::size_t n_groups = 2, n_racers = 3; // racers per group, on shared analyses
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle) + " of seed " + std::to_string(seed));
    // The analyses that survived go on being worked on, shared out among the
    // workers and the groups of racers.
    std::vector<work_pool> pools(n_workers + n_groups);
    std::size_t next = 0;
    for (auto& [id, a] : m.analyses)
      if (!a.auth.empty())
        pools[next++ % pools.size()].ids.push_back(id);
    cycle_flags flags;
    std::vector<std::thread> workers;
    for (std::size_t w = 0; w < n_workers; ++w)
      workers.emplace_back(run_worker, server.port(), bearer(server.admin_token()),
                           std::ref(m), std::ref(pools[w]), false, rng(), std::cref(flags));
    for (std::size_t g = 0; g < n_groups; ++g)
      for (std::size_t r = 0; r < n_racers; ++r)
        workers.emplace_back(run_worker, server.port(), bearer(server.admin_token()),
                             std::ref(m), std::ref(pools[n_workers + g]), true, rng(),
                             std::cref(flags));
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 700));
    ASSERT_TRUE(server.alive()) << "the server died by itself; its log:\n" << server.log();
    if (how == ending::sigkill) {
      flags.killing.store(true);
      server.kill();
    } else {
      flags.terminating.store(true);
      EXPECT_EQ(server.stop(), 0) << "SIGTERM under load did not exit 0";
    }
    flags.stop.store(true);
    for (auto& t : workers)
      t.join();
    {
      std::lock_guard<std::mutex> lock{m.mutex};
      for (auto& f : m.failures)
        ADD_FAILURE() << f;
      ASSERT_TRUE(m.failures.empty()) << server.log();
    }
    // Sometimes a second crash, during recovery.
    if (how == ending::sigkill && rng() % 4 == 0)
      server.start_and_kill_after(std::chrono::milliseconds(rng() % 60));
    server.restart();
    if (how == ending::sigterm) {
      // The final snapshot holds everything: the start replays no journal.
      auto log = server.log();
      auto last = log.rfind("recovered ");
      ASSERT_NE(last, std::string::npos) << log;
      EXPECT_NE(log.find("0 journal records replayed", last), std::string::npos)
        << log.substr(last, log.find('\n', last) - last);
    }
    check_and_settle(server, m, rng);
    if (::testing::Test::HasFatalFailure() || ::testing::Test::HasNonfatalFailure()) {
      std::cerr << "server log:\n" << server.log() << std::endl;
      return;
    }
  }
  std::cout << "crash harness: " << cycles << " cycles passed: " << m.acked
            << " acknowledged changes checked, 0 lost, 0 torn files; " << m.lost_races
            << " racing requests answered 404/409; " << m.analyses.size()
            << " analyses at the end" << std::endl;
  EXPECT_EQ(server.stop(), 0);
}

} // namespace

// 20 cycles by default; 6 against a sanitized server (the sanitize stage),
// where a cycle costs three times as long: what ASan and UBSan check there
// (the paths of a kill, a recovery and a drain under load) a few cycles walk,
// and the dev stage runs the 20 against the optimized server.
int default_cycles() {
  return env_int("ANALYSISD_CRASH_CYCLES", server_sanitized() ? 6 : 20);
}

TEST(e2e_crash, sigkill_under_load_loses_no_acknowledged_change_and_leaves_no_torn_file) {
  run_cycles(default_cycles(), ending::sigkill);
}

TEST(e2e_crash, sigterm_under_load_answers_in_flight_writes_a_snapshot_and_exits_0) {
  run_cycles(std::max(2, default_cycles() / 4), ending::sigterm);
}
