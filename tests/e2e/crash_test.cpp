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
// ANALYSISD_CRASH_CYCLES sets the number of cycles (default 20) for long
// runs; ANALYSISD_CRASH_SEED replays one run (the seed is printed).

#include "tests/support/e2e.hpp"

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

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
};

/// Everything the clients were told; guarded by `mutex`.
struct model {
  std::mutex mutex;
  std::map<std::string, tracked_analysis> analyses;
  std::vector<std::string> failures;
  std::size_t acked = 0; ///< Acknowledged changes, over all cycles.

  void fail(const std::string& what) {
    std::lock_guard<std::mutex> lock{mutex};
    failures.push_back(what);
  }
};

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

/// One load worker: works on analyses of its own until `stop` is set or the
/// server stops answering. Every request is recorded as unsure before it is
/// sent and as acknowledged when its success arrives.
void run_worker(std::uint16_t port, const std::string& admin, model& m,
                std::vector<std::string> mine, std::uint64_t seed,
                const std::atomic<bool>& stop, const std::atomic<bool>& terminating) {
  std::mt19937_64 rng{seed};
  http_client c{port};
  // No answer, or (once SIGTERM is sent) a 503: the server is going away.
  auto alive = [&](int status) { return status != 0 && !(status == 503 && terminating.load()); };
  try {
    while (!stop.load()) {
      if (mine.size() < 3 || rng() % 100 < 5) {
        auto id = random_id(rng);
        {
          std::lock_guard<std::mutex> lock{m.mutex};
          if (m.analyses.count(id))
            continue;
          m.analyses[id].id = id;
        }
        auto res = c.post("/admin/analyses", create_body(id).dump(), admin);
        if (!alive(res.status))
          return;
        if (res.status != 201) {
          m.fail("create " + id + ": " + std::to_string(res.status) + " " + res.body);
          return;
        }
        auto job_id = res.json().at("job").at("id").get<std::string>();
        {
          std::lock_guard<std::mutex> lock{m.mutex};
          m.analyses[id].created = known::acked;
          m.analyses[id].job_id = job_id;
          ++m.acked;
        }
        auto acq = c.patch("/admin/jobs/" + job_id, R"({"acquired":true})", admin);
        if (!alive(acq.status))
          return;
        if (acq.status != 200) {
          m.fail("acquire " + job_id + ": " + std::to_string(acq.status) + " " + acq.body);
          return;
        }
        std::lock_guard<std::mutex> lock{m.mutex};
        m.analyses[id].auth = basic_auth(job_id, acq.json().at("key").get<std::string>());
        ++m.acked;
        mine.push_back(id);
        continue;
      }
      auto which = rng() % mine.size();
      auto id = mine[which];
      std::string auth;
      bool finalized;
      std::string name;
      {
        std::lock_guard<std::mutex> lock{m.mutex};
        auto& a = m.analyses[id];
        auth = a.auth;
        finalized = a.finalized.has_value();
        name = "f" + std::to_string(a.next_name++) + ".fa";
      }
      auto op = rng() % 100;
      if (op < 60) {
        tracked_file f;
        f.size = random_size(rng);
        f.seed = rng();
        {
          std::lock_guard<std::mutex> lock{m.mutex};
          m.analyses[id].files[name] = f;
        }
        auto res = upload_named(c, id, name, file_bytes(f.seed, f.size), auth);
        if (!alive(res.status))
          return;
        if (res.status != 201) {
          m.fail("upload " + id + "/" + name + ": " + std::to_string(res.status) + " " + res.body);
          return;
        }
        std::lock_guard<std::mutex> lock{m.mutex};
        auto& tf = m.analyses[id].files[name];
        tf.state = known::acked;
        tf.id = res.json().at("id").get<std::uint64_t>();
        ++m.acked;
      } else if (op < 80 && !finalized) {
        nlohmann::json results = {{"hits", rng() % 1000}, {"by", id}, {"note", "crash test"}};
        {
          std::lock_guard<std::mutex> lock{m.mutex};
          m.analyses[id].finalized = known::unsure;
          m.analyses[id].results = results;
        }
        auto res = c.patch("/api/analyses/" + id, nlohmann::json{{"results", results}}.dump(),
                           auth);
        if (!alive(res.status))
          return;
        if (res.status != 200) {
          m.fail("finalize " + id + ": " + std::to_string(res.status) + " " + res.body);
          return;
        }
        std::lock_guard<std::mutex> lock{m.mutex};
        m.analyses[id].finalized = known::acked;
        ++m.acked;
      } else if (op < 90) {
        // Removed by its job when it can be, else by the operator.
        {
          std::lock_guard<std::mutex> lock{m.mutex};
          m.analyses[id].removed = known::unsure;
        }
        auto res = finalized ? c.del("/admin/analyses/" + id, admin)
                             : c.del("/api/analyses/" + id, auth);
        if (!alive(res.status))
          return;
        if (res.status != 204) {
          m.fail("remove " + id + ": " + std::to_string(res.status) + " " + res.body);
          return;
        }
        std::lock_guard<std::mutex> lock{m.mutex};
        m.analyses[id].removed = known::acked;
        ++m.acked;
        mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(which));
      } else {
        auto res = c.get("/api/analyses/" + id, auth);
        if (!alive(res.status))
          return;
        if (res.status != 200) {
          m.fail("get " + id + ": " + std::to_string(res.status) + " " + res.body);
          return;
        }
      }
    }
  } catch (const std::exception&) {
    // The connection could not be made again: the server is gone.
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
    a.removed.reset();
    a.created = known::acked;
    auto doc = got.json();
    // Finalize: acknowledged ones are there with their results; unsure ones
    // are wholly there or not at all.
    if (doc.at("ready") == true) {
      EXPECT_TRUE(a.finalized.has_value()) << "finalized without being asked";
      EXPECT_EQ(doc.value("results", nlohmann::json{}), a.results);
      a.finalized = known::acked;
    } else {
      EXPECT_NE(a.finalized, std::optional<known>{known::acked}) << "an acknowledged finalize is lost";
      EXPECT_TRUE(doc.at("results").is_null());
      a.finalized.reset();
    }
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

int env_int(const char* name, int fallback) {
  auto v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
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
  constexpr std::size_t n_workers = 8;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle) + " of seed " + std::to_string(seed));
    // The analyses that survived go on being worked on, shared out among the workers.
    std::vector<std::vector<std::string>> share(n_workers);
    std::size_t next = 0;
    for (auto& [id, a] : m.analyses)
      if (!a.auth.empty())
        share[next++ % n_workers].push_back(id);
    std::atomic<bool> stop{false}, terminating{false};
    std::vector<std::thread> workers;
    for (std::size_t w = 0; w < n_workers; ++w)
      workers.emplace_back(run_worker, server.port(), bearer(server.admin_token()),
                           std::ref(m), share[w], rng(), std::cref(stop), std::cref(terminating));
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 700));
    ASSERT_TRUE(server.alive()) << "the server died by itself; its log:\n" << server.log();
    if (how == ending::sigkill) {
      server.kill();
    } else {
      terminating.store(true);
      EXPECT_EQ(server.stop(), 0) << "SIGTERM under load did not exit 0";
    }
    stop.store(true);
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
            << " acknowledged changes checked, 0 lost, 0 torn files; " << m.analyses.size()
            << " analyses at the end" << std::endl;
  EXPECT_EQ(server.stop(), 0);
}

} // namespace

TEST(e2e_crash, sigkill_under_load_loses_no_acknowledged_change_and_leaves_no_torn_file) {
  run_cycles(env_int("ANALYSISD_CRASH_CYCLES", 20), ending::sigkill);
}

TEST(e2e_crash, sigterm_under_load_answers_in_flight_writes_a_snapshot_and_exits_0) {
  run_cycles(env_int("ANALYSISD_CRASH_CYCLES", 20) / 4, ending::sigterm);
}
