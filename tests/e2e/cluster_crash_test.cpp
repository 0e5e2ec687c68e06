// Kill -9 under load on a cluster of 3 nodes: 8 client threads send a mix of
// requests (create + acquire, GETs, uploads, finalizes, groups of concurrent
// finalizes of one analysis from different nodes, removes) to random nodes,
// while each cycle kills one node with SIGKILL and starts it again. Checks:
// no acknowledged change is lost, exactly one finalize of each group
// succeeds, no request hangs past the client timeout, and analyses are
// served again within 10 s of a kill.

#include "tests/e2e/cluster_load.hpp"
#include "tests/support/cluster_process.hpp"
#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace analysisd::test {
namespace {

using namespace cluster_load;

constexpr milliseconds client_timeout{5000};
constexpr milliseconds recovery_limit{10000};
constexpr std::size_t node_count = 3;
constexpr int worker_count = 8;

int crash_cycles() {
  if (const char* env = std::getenv("ANALYSISD_CLUSTER_CRASH_CYCLES"); env && *env)
    return std::max(1, std::atoi(env));
  return 20;
}

// The shared state of one run.
struct run_state {
  explicit run_state(const cluster_process& c) : token(c.admin_token()) {
    for (std::size_t i = 0; i < node_count; ++i)
      ports[i] = c.port(i);
  }
  std::string token;
  std::atomic<std::uint16_t> ports[node_count];
  std::atomic<bool> stop{false};
  counters n;
  findings bad;
  std::mutex all_m;
  std::vector<std::shared_ptr<tracked>> all; // every tracked analysis

  void track(const std::shared_ptr<tracked>& a) {
    std::lock_guard<std::mutex> g{all_m};
    all.push_back(a);
  }
};

struct reply {
  int status = 0; // 0: no response (connection lost, or the timeout)
  http_response res;
  int node = -1;
};

// Sends `req` on a fresh connection to node `node` (random if -1); a node
// that refuses the connection (it is down) is replaced by the next one, as a
// load balancer would. A fresh connection per request: a kept-alive one that
// died would make the client resend a request the server may have run.
reply call(run_state& s, std::mt19937& rng, const http_request& req, int node = -1) {
  if (node < 0)
    node = static_cast<int>(std::uniform_int_distribution<std::size_t>(0, node_count - 1)(rng));
  for (std::size_t tried = 0; tried < node_count; ++tried) {
    int i = static_cast<int>((static_cast<std::size_t>(node) + tried) % node_count);
    http_client c{s.ports[i].load()};
    c.set_timeout(client_timeout);
    auto started = clock_type::now();
    http_response res;
    try {
      res = c.send(req);
    } catch (const std::exception&) {
      ++s.n.refused; // not sent: the node is down
      continue;
    }
    auto took = ms_since(started);
    ++s.n.requests;
    s.n.latency(took);
    if (res.status == 0) {
      if (took >= client_timeout.count() - 50) {
        ++s.n.hangs;
        s.bad.add("no answer within 5 s: " + req.method + " " + req.target + " on node "
                  + std::to_string(i + 1));
      } else {
        ++s.n.dropped;
      }
    } else if (res.status == 503) {
      ++s.n.unavailable;
    }
    return {res.status, res, i};
  }
  return {};
}

std::string describe(const reply& r, const std::string& what) {
  return what + " on node " + std::to_string(r.node + 1) + ": " + std::to_string(r.status) + " "
         + r.res.body.substr(0, 200);
}

// Creates an analysis and acquires its job; nullptr when an outcome is
// unknown (the analysis may exist, but the clients cannot use it).
std::shared_ptr<tracked> create(run_state& s, std::mt19937& rng) {
  auto r = call(s, rng, make_request("POST", "/admin/analyses", bearer(s.token), create_body().dump()));
  if (r.status != 201) {
    if (!unknown(r.status))
      s.bad.add(describe(r, "create"));
    return nullptr;
  }
  ++s.n.acked;
  auto doc = r.res.json();
  auto a = std::make_shared<tracked>();
  a->id = doc.at("id").get<std::string>();
  auto job = doc.at("job").at("id").get<std::string>();
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto q = call(s, rng, make_request("PATCH", "/admin/jobs/" + job, bearer(s.token), R"({"acquired":true})"));
    if (q.status == 200) {
      a->auth = basic_auth(job, q.res.json().at("key").get<std::string>());
      break;
    }
    if (q.status == 400 && attempt > 0)
      break; // an earlier attempt acquired it; its key is lost
    if (!unknown(q.status)) {
      s.bad.add(describe(q, "acquire"));
      break;
    }
  }
  s.track(a);
  if (a->auth.empty()) {
    a->gone = true; // cannot be used; still checked at the end
    return nullptr;
  }
  return a;
}

// One group: a fresh analysis finalized by 3 concurrent requests, each sent to
// another node.
void finalize_group(run_state& s, std::mt19937& rng, const std::shared_ptr<tracked>& a) {
  ++s.n.groups;
  std::vector<reply> replies(node_count);
  std::vector<std::thread> senders;
  std::atomic<int> ready{0};
  for (std::size_t k = 0; k < node_count; ++k)
    senders.emplace_back([&, k, seed = rng()] {
      std::mt19937 local{seed};
      nlohmann::json body = {{"results", {{"group_member", k}, {"analysis", a->id}}}};
      ++ready;
      while (ready.load() < static_cast<int>(node_count))
        std::this_thread::yield();
      replies[k] = call(s, local,
                        make_request("PATCH", "/api/analyses/" + a->id, a->auth, body.dump()),
                        static_cast<int>(k));
    });
  for (auto& t : senders)
    t.join();
  int wins = 0, conflicts = 0, unknowns = 0;
  for (std::size_t k = 0; k < node_count; ++k) {
    auto& r = replies[k];
    if (r.status == 200) {
      ++wins;
      a->results = r.res.json().at("results");
    } else if (r.status == 409) {
      ++conflicts;
    } else if (unknown(r.status)) {
      ++unknowns;
    } else {
      s.bad.add(describe(r, "group finalize of " + a->id));
    }
  }
  if (wins > 1) {
    s.bad.add("group finalize of " + a->id + ": " + std::to_string(wins) + " finalizes got 200");
  } else if (wins == 1) {
    ++s.n.groups_one_winner;
    ++s.n.acked;
  } else if (unknowns > 0) {
    a->finalize_uncertain = true;
  } else {
    s.bad.add("group finalize of " + a->id + ": no 200 and no unknown outcome ("
              + std::to_string(conflicts) + " conflicts)");
  }
  if (wins == 1 && unknowns > 0)
    a->finalize_uncertain = true; // a lost 200 cannot exist, but keep the model honest
}

void worker(run_state& s, unsigned seed) {
  std::mt19937 rng{seed};
  std::vector<std::shared_ptr<tracked>> mine;
  auto pick = [&](auto pred) -> std::shared_ptr<tracked> {
    std::vector<std::shared_ptr<tracked>> fit;
    for (auto& a : mine)
      if (pred(*a))
        fit.push_back(a);
    if (fit.empty())
      return nullptr;
    return fit[std::uniform_int_distribution<std::size_t>(0, fit.size() - 1)(rng)];
  };
  auto usable = [](const tracked& a) { return !a.removed && !a.remove_uncertain; };
  long counter = 0;
  while (!s.stop) {
    int op = std::uniform_int_distribution<int>(0, 99)(rng);
    if (op < 12 || mine.size() < 3) {
      if (auto a = create(s, rng))
        mine.push_back(a);
    } else if (op < 40) {
      auto a = pick(usable);
      if (!a)
        continue;
      auto r = call(s, rng, make_request("GET", "/api/analyses/" + a->id, a->auth));
      if (r.status == 200)
        check_document(s.bad, *a, r.res.json(), "GET during the load on node " + std::to_string(r.node + 1));
      else if (!unknown(r.status))
        s.bad.add(describe(r, "GET " + a->id));
    } else if (op < 70) {
      auto a = pick(usable);
      if (!a)
        continue;
      auto name = "f" + std::to_string(a->next_file++) + ".fa";
      std::string bytes;
      auto size = std::uniform_int_distribution<int>(1, 64)(rng);
      for (int i = 0; i < size; ++i)
        bytes += ">" + a->id + "/" + name + "/" + std::to_string(i) + "\nACGT\n";
      std::string content_type;
      auto body = multipart_body(bytes, content_type);
      auto r = call(s, rng,
                    make_request("POST", "/api/analyses/" + a->id + "/files?name=" + name + "&format=fasta",
                                 a->auth, body, content_type));
      if (r.status == 201) {
        ++s.n.acked;
        a->files[name] = {r.res.json().at("id").get<int>(), bytes};
      } else if (unknown(r.status)) {
        a->uncertain_files.insert(name);
      } else {
        s.bad.add(describe(r, "upload " + name + " to " + a->id));
      }
    } else if (op < 80) {
      auto a = pick([&](const tracked& t) { return usable(t) && !t.results && !t.finalize_uncertain; });
      if (!a)
        continue;
      nlohmann::json results = {{"by", seed}, {"n", ++counter}};
      auto r = call(s, rng,
                    make_request("PATCH", "/api/analyses/" + a->id, a->auth,
                                 nlohmann::json{{"results", results}}.dump()));
      if (r.status == 200) {
        ++s.n.acked;
        a->results = results;
        if (r.res.json().at("results") != results)
          s.bad.add(describe(r, "finalize of " + a->id + " answered other results"));
      } else if (unknown(r.status)) {
        a->finalize_uncertain = true;
      } else {
        s.bad.add(describe(r, "finalize of " + a->id));
      }
    } else if (op < 88) {
      auto a = pick([&](const tracked& t) { return usable(t) && !t.results && !t.finalize_uncertain; });
      if (!a)
        continue;
      a->gone = true;
      auto r = call(s, rng, make_request("DELETE", "/api/analyses/" + a->id, a->auth));
      if (r.status == 204) {
        ++s.n.acked;
        a->removed = true;
      } else if (unknown(r.status)) {
        a->remove_uncertain = true;
      } else {
        s.bad.add(describe(r, "remove of " + a->id));
      }
    } else {
      if (auto a = create(s, rng)) {
        mine.push_back(a);
        finalize_group(s, rng, a);
      }
    }
  }
}

// After a kill: polls a sample of live analyses through the nodes still up
// until each is served (200); returns the longest wait in ms, or -1 (with
// findings) if some were not served within the limit.
long long await_recovery(run_state& s, std::mt19937& rng, std::size_t dead,
                         clock_type::time_point killed) {
  std::vector<std::shared_ptr<tracked>> sample;
  {
    std::lock_guard<std::mutex> g{s.all_m};
    for (auto& a : s.all)
      if (!a->gone)
        sample.push_back(a);
  }
  std::shuffle(sample.begin(), sample.end(), rng);
  if (sample.size() > 45)
    sample.resize(45);
  long long longest = 0;
  std::vector<std::shared_ptr<tracked>> pending = sample;
  while (!pending.empty()) {
    std::vector<std::shared_ptr<tracked>> still;
    for (auto& a : pending) {
      int node = static_cast<int>((dead + 1 + rng() % (node_count - 1)) % node_count);
      auto r = call(s, rng, make_request("GET", "/admin/analyses/" + a->id, bearer(s.token)), node);
      if (r.status == 200 || (r.status == 404 && a->gone))
        longest = std::max(longest, ms_since(killed));
      else
        still.push_back(a);
    }
    pending.swap(still);
    if (pending.empty())
      break;
    if (clock_type::now() - killed > recovery_limit) {
      for (auto& a : pending)
        s.bad.add("analysis " + a->id + " not served within 10 s of killing node "
                  + std::to_string(dead + 1));
      return -1;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  return longest;
}

// The end: every acknowledged change is visible from any node.
long verify(run_state& s, std::mt19937& rng, clock_type::time_point deadline) {
  std::vector<std::shared_ptr<tracked>> all;
  {
    std::lock_guard<std::mutex> g{s.all_m};
    all = s.all;
  }
  return verify_acknowledged(
    s.bad, all, bearer(s.token),
    [&](const http_request& req) { return call(s, rng, req).res; }, deadline);
}

TEST(e2e_cluster, kill9_under_load_loses_no_acknowledged_change) {
  const int cycles = crash_cycles();
  auto started = clock_type::now();
  temp_dir dir;
  cluster_process_options opts;
  opts.nodes = node_count;
  cluster_process cluster{dir.path() + "/data", opts};
  run_state s{cluster};
  std::random_device seeder;
  const unsigned seed = seeder();
  std::mt19937 rng{seed};
  std::cout << "kill9: seed " << seed << std::endl;

  std::vector<std::thread> workers;
  for (int i = 0; i < worker_count; ++i)
    workers.emplace_back([&s, w = rng()] { worker(s, w); });

  // The cycles stop by themselves: at most 7 s each on average (twice that
  // for a sanitized server, which starts and recovers slower).
  auto budget = std::max(60, 7 * cycles) * (server_sanitized() ? 2 : 1);
  auto cycles_deadline = clock_type::now() + std::chrono::seconds(budget);
  int done = 0;
  long long max_recovery = 0;
  bool broken = false;
  for (; done < cycles && !broken; ++done) {
    if (clock_type::now() > cycles_deadline) {
      ADD_FAILURE() << "the cycles took too long: " << done << " of " << cycles << " done";
      break;
    }
    std::this_thread::sleep_for(milliseconds(800 + rng() % 400));
    auto victim = rng() % node_count;
    auto killed = clock_type::now();
    cluster.kill(victim);
    auto recovery = await_recovery(s, rng, victim, killed);
    if (recovery < 0)
      broken = true;
    max_recovery = std::max(max_recovery, recovery);
    try {
      cluster.restart(victim);
      s.ports[victim] = cluster.port(victim);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "node " << victim + 1 << " did not come back: " << e.what();
      broken = true;
    }
  }
  s.stop = true;
  for (auto& t : workers)
    t.join();
  auto load_seconds = ms_since(started) / 1000.0;

  // Every node up and settled, then the check from random nodes.
  for (std::size_t i = 0; i < node_count; ++i)
    if (!cluster.alive(i))
      cluster.restart(i);
  cluster.settle();
  auto verified = verify(s, rng, clock_type::now() + std::chrono::seconds(60));
  auto total_seconds = ms_since(started) / 1000.0;

  std::ostringstream summary;
  summary << "kill9 summary: cycles=" << done << "/" << cycles << " requests=" << s.n.requests
          << " acknowledged=" << s.n.acked << " verified=" << verified
          << " 503s=" << s.n.unavailable << " refused_connections=" << s.n.refused
          << " dropped=" << s.n.dropped << " hangs=" << s.n.hangs
          << " max_latency_ms=" << s.n.max_latency_ms << " finalize_groups=" << s.n.groups
          << " (exactly one 200: " << s.n.groups_one_winner << ")"
          << " max_recovery_ms=" << max_recovery << " analyses=" << s.all.size()
          << " load_s=" << load_seconds << " total_s=" << total_seconds;
  std::cout << summary.str() << std::endl;
  RecordProperty("summary", summary.str());

  EXPECT_EQ(done, cycles);
  EXPECT_EQ(s.n.hangs, 0);
  EXPECT_GT(s.n.acked, 0);
  EXPECT_EQ(s.bad.count(), 0u) << s.bad.count() << " findings, the first ones:\n"
                               << s.bad.text();
  if (HasFailure()) {
    // The nodes' logs, trimmed: their errors and warnings, their slow, 5xx
    // and 503 answers (at most 60 lines each), then their last lines.
    for (std::size_t i = 0; i < node_count; ++i) {
      auto log = cluster.log(i);
      std::string problems, answers;
      int n_problems = 0, n_answers = 0;
      std::istringstream lines{log};
      std::string line;
      while (std::getline(lines, line)) {
        auto d = line.find(" duration_ms=");
        auto slow = d != std::string::npos && std::atof(line.c_str() + d + 13) >= 1000.0;
        if (line.find(" error ") != std::string::npos || line.find(" warning ") != std::string::npos) {
          if (n_problems++ < 60)
            problems += line + "\n";
        } else if (slow || line.find(" status=5") != std::string::npos) {
          if (n_answers++ < 60)
            answers += line + "\n";
        }
      }
      std::cout << "---- node" << i + 1 << " log: " << n_problems << " errors and warnings ----\n"
                << problems << "---- node" << i + 1 << " log: " << n_answers
                << " answers after 1 s or 5xx ----\n"
                << answers;
      if (log.size() > 4000)
        log = "...\n" + log.substr(log.size() - 4000);
      std::cout << "---- node" << i + 1 << " log (tail) ----\n" << log << std::endl;
    }
  }
}

} // namespace
} // namespace analysisd::test
