// A node cut off from PostgreSQL and its peers for 30 s keeps no mandate.
// Node C runs in its own network namespace, joined to the root namespace by a
// veth pair (10.77.0.1 in the root namespace, 10.77.0.2 in C's); PostgreSQL
// and the peers' inter-node ports listen on 10.77.0.1 too. The cut is a
// blackhole route to 10.77.0.1 inside C's namespace: C can reach neither
// PostgreSQL nor its peers, nor they C. Clients reach C's HTTP from inside
// its namespace (threads that setns() into it, then connect to its
// loopback), which the cut leaves alone. Checks:
// - C refuses writes (503) within 4 s of the cut, and every write sent to C
//   later is refused;
// - C never serves an old document: a GET to C of an analysis whose finalize
//   another node acknowledged earlier never answers it unfinalized;
// - the other nodes serve C's shards within 8 s of the cut, and their own
//   shards throughout;
// - of concurrent finalizes of one analysis sent to both sides, at most one
//   succeeds;
// - after healing, C rejoins (holds shards again) and every acknowledged
//   change is served, by the other nodes and by C.
// Needs root and `ip netns` (skipped otherwise). ANALYSISD_CLUSTER_CUT_SECONDS
// shortens the cut (default 30) for quick local runs.

#include "tests/e2e/cluster_load.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/cluster_process.hpp"
#include "tests/support/postgres_process.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

namespace analysisd::test {
namespace {

using namespace cluster_load;

const std::string root_address = "10.77.0.1";
const std::string ns_address = "10.77.0.2";
constexpr milliseconds refuse_limit{4000};
constexpr milliseconds takeover_limit{8000};

int cut_seconds() {
  if (const char* env = std::getenv("ANALYSISD_CLUSTER_CUT_SECONDS"); env && *env)
    return std::max(1, std::atoi(env));
  return 30;
}

int sh(const std::string& command) {
  int rc = std::system((command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The namespace and the veth pair; removed again whatever happens.
class netns_guard {
public:
  netns_guard() {
    // A run that died may have left its namespace: its addresses would clash.
    sh("for n in $(ip netns list | awk '/^adp/{print $1}'); do ip netns del $n; done");
    sh("for l in $(ip -o link show | awk -F': ' '/vadp/{print $2}' | cut -d@ -f1); do ip link del $l; done");
    auto tag = std::to_string(::getpid() % 100000);
    name = "adp" + tag;
    root_link = "vadp" + tag + "a";
    ns_link = "vadp" + tag + "b";
    const std::string in_ns = "ip netns exec " + name + " ";
    for (auto& cmd : {"ip netns add " + name,
                      "ip link add " + root_link + " type veth peer name " + ns_link,
                      "ip link set " + ns_link + " netns " + name,
                      "ip addr add " + root_address + "/24 dev " + root_link,
                      "ip link set " + root_link + " up",
                      in_ns + "ip addr add " + ns_address + "/24 dev " + ns_link,
                      in_ns + "ip link set " + ns_link + " up",
                      in_ns + "ip link set lo up"}) {
      if (sh(cmd) != 0) {
        failed = "`" + cmd + "` failed";
        return;
      }
    }
    // Threads join the namespace through this descriptor (setns).
    fd = ::open(("/var/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      failed = "cannot open /var/run/netns/" + name;
  }
  ~netns_guard() {
    if (fd >= 0)
      ::close(fd);
    sh("ip netns del " + name);
    sh("ip link del " + root_link);
  }
  netns_guard(const netns_guard&) = delete;
  netns_guard& operator=(const netns_guard&) = delete;

  bool cut() {
    return sh("ip netns exec " + name + " ip route add blackhole " + root_address + "/32") == 0;
  }
  bool heal() {
    return sh("ip netns exec " + name + " ip route del blackhole " + root_address + "/32") == 0;
  }

  std::string name, root_link, ns_link, failed;
  int fd = -1;
};

// Runs `f` on a thread of its own inside the namespace `fd` (the sockets it
// makes are the namespace's) and waits for it.
void in_netns(int fd, const std::function<void()>& f) {
  std::thread t{[&] {
    if (::setns(fd, CLONE_NEWNET) != 0) {
      ADD_FAILURE() << "setns failed";
      return;
    }
    f();
  }};
  t.join();
}

// A thread of its own inside the namespace.
std::thread netns_thread(int fd, std::function<void()> f) {
  return std::thread{[fd, f = std::move(f)] {
    if (::setns(fd, CLONE_NEWNET) != 0) {
      ADD_FAILURE() << "setns failed";
      return;
    }
    f();
  }};
}

std::string str(const http_response& r) {
  return std::to_string(r.status) + " " + r.body.substr(0, 200);
}

// One analysis of the run, with when its finalize was acknowledged (ms since
// the cut; -1: not yet) and by which side.
struct subject {
  std::shared_ptr<tracked> a;
  std::string job;
  int shard = -1;
  std::atomic<long long> acked_at{-1};
  std::mutex m; // guards a->results and a->finalize_uncertain
  std::atomic<int> wins{0};
};

TEST(e2e_cluster, a_node_cut_off_keeps_no_mandate) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root (network namespaces)";
  if (sh("ip netns list") != 0)
    GTEST_SKIP() << "`ip netns` is not available (install iproute2)";
  auto started = clock_type::now();
  const int cut_s = cut_seconds();
  netns_guard ns;
  ASSERT_TRUE(ns.failed.empty()) << "cannot make the network namespace: " << ns.failed;

  postgres_process pg{root_address};
  temp_dir dir;
  cluster_process_options opts;
  opts.nodes = 2;
  opts.heartbeat_ms = 200;
  opts.lease_ttl_ms = 1500;
  opts.stable_after_ms = 600;
  opts.peer_timeout_ms = 1000;
  opts.shards = 64;
  opts.max_handoffs = 64;
  opts.postgres = &pg;
  opts.cluster_listen_host = "0.0.0.0";
  opts.cluster_advertise_host = root_address;
  cluster_process cluster{dir.path() + "/data", opts};
  const std::string token = cluster.admin_token();
  const std::string admin = bearer(token);

  // Node C, inside the namespace: PostgreSQL and its peers over the veth.
  auto c_conninfo = cluster.conninfo();
  auto host_at = c_conninfo.find("host=127.0.0.1");
  ASSERT_NE(host_at, std::string::npos) << c_conninfo;
  c_conninfo.replace(host_at, 14, "host=" + root_address);
  const std::uint16_t c_port = free_port(), c_cluster_port = free_port();
  const std::string c_log = dir.path() + "/data.nodeC.log";
  auto ms = [](int v) { return std::to_string(v); };
  std::vector<std::string> argv{"/usr/sbin/ip", "netns", "exec", ns.name, server_binary(),
                                "--listen", "127.0.0.1:" + ms(c_port),
                                "--data-dir", cluster.data_dir(),
                                "--cluster-postgres", c_conninfo,
                                "--node-name", "nodeC",
                                "--cluster-listen", ns_address + ":" + ms(c_cluster_port),
                                "--shards", ms(opts.shards),
                                "--heartbeat-ms", ms(opts.heartbeat_ms),
                                "--lease-ttl-ms", ms(opts.lease_ttl_ms),
                                "--stable-after-ms", ms(opts.stable_after_ms),
                                "--max-handoffs", ms(opts.max_handoffs),
                                "--peer-timeout-ms", ms(opts.peer_timeout_ms)};
  if (::access(argv[0].c_str(), X_OK) != 0)
    argv[0] = "/sbin/ip";
  pid_t c_pid = spawn_logged(argv, {{"ANALYSISD_ADMIN_TOKEN", token}}, c_log, true);
  struct c_stopper {
    pid_t& pid;
    ~c_stopper() {
      signal_and_wait(pid, SIGTERM);
    }
  } stop_c{c_pid};
  auto c_send = [&](const http_request& req) {
    http_response r;
    in_netns(ns.fd, [&] { r = send_once(c_port, req); });
    return r;
  };
  auto dump_logs = [&] {
    auto tail = [](std::string log) {
      return log.size() > 10000 ? "...\n" + log.substr(log.size() - 10000) : log;
    };
    std::cout << "---- nodeC log (tail) ----\n" << tail(whole_file(c_log)) << std::endl;
    for (std::size_t i = 0; i < cluster.size(); ++i)
      std::cout << "---- node" << i + 1 << " log (tail) ----\n" << tail(cluster.log(i)) << std::endl;
  };
  {
    auto deadline = clock_type::now() + std::chrono::seconds(30);
    int status = 0;
    while (clock_type::now() < deadline
           && (status = c_send(make_request("GET", "/readyz", {})).status) != 200)
      std::this_thread::sleep_for(milliseconds(50));
    if (status != 200) {
      dump_logs();
      FAIL() << "node C did not become ready";
    }
  }
  auto c_shards_query = "SELECT l.shard FROM shard_leases l JOIN members m ON m.incarnation = l.owner"
                        " WHERE m.node = 'nodeC' AND l.expires_at > now()";
  std::set<int> c_shards;
  for (auto deadline = clock_type::now() + std::chrono::seconds(15);
       c_shards.empty() && clock_type::now() < deadline;
       std::this_thread::sleep_for(milliseconds(100)))
    for (auto& row : pg_rows(cluster.conninfo(), c_shards_query))
      c_shards.insert(std::stoi(row.at(0)));
  std::this_thread::sleep_for(cluster.settle_time());
  c_shards.clear();
  for (auto& row : pg_rows(cluster.conninfo(), c_shards_query))
    c_shards.insert(std::stoi(row.at(0)));
  if (c_shards.empty()) {
    dump_logs();
    FAIL() << "node C holds no shard";
  }

  // The analyses: created and acquired through the other nodes until C's
  // shards have enough of them.
  std::random_device seeder;
  const unsigned seed = seeder();
  std::mt19937 rng{seed};
  std::cout << "partition: seed " << seed << ", node C holds " << c_shards.size() << " of "
            << opts.shards << " shards" << std::endl;
  auto root_send = [&](const http_request& req, std::mt19937& r) {
    auto i = std::uniform_int_distribution<std::size_t>(0, cluster.size() - 1)(r);
    return send_once(cluster.port(i), req);
  };
  std::vector<std::unique_ptr<subject>> on_c, elsewhere;
  findings bad;
  while ((on_c.size() < 24 || elsewhere.size() < 12) && ms_since(started) < 120000) {
    auto r = root_send(make_request("POST", "/admin/analyses", admin, create_body().dump()), rng);
    ASSERT_EQ(r.status, 201) << str(r);
    auto s = std::make_unique<subject>();
    s->a = std::make_shared<tracked>();
    s->a->id = r.json().at("id").get<std::string>();
    s->job = r.json().at("job").at("id").get<std::string>();
    auto q = root_send(make_request("PATCH", "/admin/jobs/" + s->job, admin, R"({"acquired":true})"), rng);
    ASSERT_EQ(q.status, 200) << str(q);
    s->a->auth = basic_auth(s->job, q.json().at("key").get<std::string>());
    auto rows = pg_rows(cluster.conninfo(), "SELECT shard FROM analyses WHERE id = '" + s->a->id + "'");
    ASSERT_EQ(rows.size(), 1u);
    s->shard = std::stoi(rows[0][0]);
    (c_shards.count(s->shard) ? on_c : elsewhere).push_back(std::move(s));
  }
  ASSERT_GE(on_c.size(), 24u);
  // The first half of C's analyses: finalized by both sides at once during
  // the cut (contested); the second half: finalized by the other nodes once
  // they serve them, while C is asked for them all the time (stale views).
  std::vector<subject*> contested, watched, all, of_c;
  for (std::size_t i = 0; i < on_c.size(); ++i)
    (i % 2 ? watched : contested).push_back(on_c[i].get());
  for (auto& s : on_c)
    of_c.push_back(s.get());
  all = of_c;
  for (auto& s : elsewhere)
    all.push_back(s.get());
  // C has served each of its analyses once (its views are published).
  for (auto* s : of_c) {
    auto r = c_send(make_request("GET", "/api/analyses/" + s->a->id, s->a->auth));
    ASSERT_EQ(r.status, 200) << "before the cut, node C: " << str(r);
  }

  // The cut.
  std::atomic<bool> stop{false};
  std::atomic<long> c_writes{0}, c_writes_503{0}, c_writes_late_accepted{0}, c_gets{0},
    c_gets_200_late{0}, c_stale{0}, other_gets{0}, other_gets_failed{0}, contested_pairs{0};
  std::atomic<long long> first_503_ms{-1}, c_write_max_ms{0};
  ASSERT_TRUE(ns.cut()) << "cannot add the blackhole route";
  auto cut_at = clock_type::now();
  bool healed = false;
  struct healer {
    netns_guard& ns;
    bool& healed;
    ~healer() {
      if (!healed)
        ns.heal();
    }
  } heal_guard{ns, healed};

  auto finalize_body = [](const std::string& side, const std::string& id) {
    return nlohmann::json{{"results", {{"side", side}, {"analysis", id}}}};
  };
  // A finalize's outcome, recorded on the subject.
  auto record = [&](subject& s, const http_response& r, const nlohmann::json& results,
                    const std::string& side) {
    std::lock_guard<std::mutex> g{s.m};
    if (r.status == 200) {
      if (++s.wins > 1)
        bad.add("analysis " + s.a->id + ": a second finalize succeeded (" + side + ")");
      s.a->results = results;
      if (s.acked_at < 0)
        s.acked_at = ms_since(cut_at);
    } else if (unknown(r.status) || r.status == 409) {
      s.a->finalize_uncertain = true; // 409: maybe an earlier unknown one of ours
    } else {
      bad.add("finalize of " + s.a->id + " (" + side + "): " + str(r));
    }
  };

  // C's side: finalizes of contested analyses, GETs of all of C's analyses.
  std::vector<std::thread> threads;
  threads.push_back(netns_thread(ns.fd, [&] {
    std::mt19937 r{seed + 1};
    while (!stop) {
      auto& s = *on_c[std::uniform_int_distribution<std::size_t>(0, on_c.size() - 1)(r)];
      auto sent = ms_since(cut_at);
      long long acked_before = s.acked_at.load();
      auto res = send_once(c_port, make_request("GET", "/api/analyses/" + s.a->id, s.a->auth));
      ++c_gets;
      if (res.status == 200) {
        if (sent >= refuse_limit.count())
          ++c_gets_200_late;
        auto doc = res.json();
        if (acked_before >= 0 && acked_before < sent && doc.at("ready") != true) {
          ++c_stale;
          bad.add("node C served the unfinalized document of " + s.a->id + " " + std::to_string(sent)
                  + " ms after the cut, after a finalize acknowledged at " + std::to_string(acked_before)
                  + " ms");
        }
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  }));
  // The other side: GETs of their own analyses (always 200).
  threads.emplace_back([&] {
    std::mt19937 r{seed + 2};
    while (!stop) {
      auto& s = *elsewhere[std::uniform_int_distribution<std::size_t>(0, elsewhere.size() - 1)(r)];
      auto res = root_send(make_request("GET", "/api/analyses/" + s.a->id, s.a->auth), r);
      ++other_gets;
      if (res.status != 200) {
        ++other_gets_failed;
        bad.add("GET " + s.a->id + " (not C's) from the other nodes during the cut: " + str(res));
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  // Contested finalizes: one to C and one to the other nodes at the same
  // moment, an analysis every 400 ms; the other side asks again after an
  // unknown outcome until it knows (a retry gets 200 or 409).
  threads.emplace_back([&] {
    std::vector<std::thread> pairs;
    unsigned k = 0;
    for (auto* s : contested) {
      if (stop)
        break;
      ++contested_pairs;
      pairs.emplace_back([&, s, k] {
      std::mt19937 r{seed + 100 + k};
      std::atomic<int> go{0};
      std::thread c_side = netns_thread(ns.fd, [&, s] {
        ++go;
        while (go.load() < 2)
          std::this_thread::yield();
        auto body = finalize_body("C", s->a->id);
        auto sent = ms_since(cut_at);
        ++c_writes;
        auto res = send_once(c_port, make_request("PATCH", "/api/analyses/" + s->a->id, s->a->auth,
                                                  body.dump()));
        if (res.status == 503) {
          ++c_writes_503;
          long long none = -1;
          first_503_ms.compare_exchange_strong(none, ms_since(cut_at));
        } else if (sent >= refuse_limit.count()) {
          ++c_writes_late_accepted;
          bad.add("node C answered a finalize sent " + std::to_string(sent) + " ms after the cut: "
                  + str(res));
        }
        record(*s, res, body.at("results"), "node C");
      });
      ++go;
      while (go.load() < 2)
        std::this_thread::yield();
      auto body = finalize_body("others", s->a->id);
      for (auto until = clock_type::now() + std::chrono::seconds(12);;) {
        auto res = root_send(make_request("PATCH", "/api/analyses/" + s->a->id, s->a->auth, body.dump()), r);
        record(*s, res, body.at("results"), "the other nodes");
        if (!unknown(res.status) || clock_type::now() > until)
          break;
        std::this_thread::sleep_for(milliseconds(200));
      }
      c_side.join();
      });
      ++k;
      std::this_thread::sleep_for(milliseconds(400));
    }
    for (auto& t : pairs)
      t.join();
  });

  // C is sent writes all through the cut (it must refuse each one).
  threads.push_back(netns_thread(ns.fd, [&] {
    std::mt19937 r{seed + 6};
    while (!stop && ms_since(cut_at) < cut_s * 1000LL) {
      auto& s = *all[std::uniform_int_distribution<std::size_t>(0, all.size() - 1)(r)];
      std::string bytes = ">" + s.a->id + "\nACGT\n";
      std::string content_type;
      auto body = multipart_body(bytes, content_type);
      auto name = "cut" + std::to_string(s.a->next_file++) + ".fa";
      auto sent = ms_since(cut_at);
      ++c_writes;
      auto res = send_once(c_port, make_request("POST", "/api/analyses/" + s.a->id + "/files?name=" + name + "&format=fasta",
                                     s.a->auth, body, content_type));
      if (res.status == 503) {
        ++c_writes_503;
        long long none = -1;
        first_503_ms.compare_exchange_strong(none, ms_since(cut_at));
      } else if (sent >= refuse_limit.count()) {
        ++c_writes_late_accepted;
        bad.add("node C answered an upload sent " + std::to_string(sent) + " ms after the cut: " + str(res));
      }
      {
        std::lock_guard<std::mutex> g{s.m};
        if (res.status == 201)
          s.a->files[name] = {res.json().at("id").get<int>(), bytes};
        else
          s.a->uncertain_files.insert(name);
      }
      c_write_max_ms = std::max<long long>(c_write_max_ms, ms_since(cut_at) - sent);
      std::this_thread::sleep_for(milliseconds(250));
    }
  }));
  // The takeover: every analysis of C's shards served by the other nodes.
  long long takeover_ms = -1;
  {
    std::vector<subject*> pending = of_c;
    std::mt19937 r{seed + 4};
    while (!pending.empty() && ms_since(cut_at) < 20000) {
      std::vector<subject*> still;
      for (auto* s : pending) {
        auto res = root_send(make_request("GET", "/admin/analyses/" + s->a->id, admin), r);
        if (res.status != 200)
          still.push_back(s);
      }
      pending.swap(still);
      if (!pending.empty())
        std::this_thread::sleep_for(milliseconds(50));
    }
    if (pending.empty())
      takeover_ms = ms_since(cut_at);
  }
  // Then the watched analyses are finalized by the other nodes, while C is
  // still asked for them.
  {
    std::mt19937 r{seed + 5};
    for (auto* s : watched) {
      auto body = finalize_body("others", s->a->id);
      for (auto until = clock_type::now() + std::chrono::seconds(10);;) {
        auto res = root_send(make_request("PATCH", "/api/analyses/" + s->a->id, s->a->auth, body.dump()), r);
        record(*s, res, body.at("results"), "the other nodes");
        if (!unknown(res.status) || clock_type::now() > until)
          break;
        std::this_thread::sleep_for(milliseconds(200));
      }
    }
  }
  // The cut lasts its time.
  while (ms_since(cut_at) < cut_s * 1000LL)
    std::this_thread::sleep_for(milliseconds(50));
  stop = true;
  for (auto& t : threads)
    t.join();
  auto cut_ms = ms_since(cut_at);

  // Healing: C rejoins and holds shards again.
  EXPECT_TRUE(ns.heal()) << "cannot remove the blackhole route";
  healed = true;
  auto healed_at = clock_type::now();
  long long rejoin_ms = -1;
  while (ms_since(healed_at) < 30000) {
    if (!still_running(c_pid)) {
      c_pid = -1;
      ADD_FAILURE() << "node C exited during or after the cut";
      break;
    }
    if (!pg_rows(cluster.conninfo(), c_shards_query).empty()
        && c_send(make_request("GET", "/readyz", {})).status == 200) {
      rejoin_ms = ms_since(healed_at);
      break;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  std::this_thread::sleep_for(cluster.settle_time());

  std::vector<std::shared_ptr<tracked>> tracked_all;
  for (auto* s : all)
    tracked_all.push_back(s->a);
  std::mt19937 r{seed + 7};
  auto verified_others = verify_acknowledged(
    bad, tracked_all, admin, [&](const http_request& req) { return root_send(req, r); },
    clock_type::now() + std::chrono::seconds(30));
  long verified_c = -1;
  if (c_pid > 0)
    verified_c = verify_acknowledged(bad, tracked_all, admin, c_send,
                                     clock_type::now() + std::chrono::seconds(30));
  int winners = 0;
  for (auto* s : contested)
    winners += s->wins.load();

  std::ostringstream summary;
  summary << "partition summary: cut_s=" << cut_ms / 1000.0 << " c_shards=" << c_shards.size()
          << "/" << opts.shards << " first_503_ms=" << first_503_ms << " c_writes=" << c_writes
          << " c_writes_503=" << c_writes_503 << " c_write_max_ms=" << c_write_max_ms << " c_writes_accepted_late=" << c_writes_late_accepted
          << " takeover_ms=" << takeover_ms << " c_gets=" << c_gets
          << " c_gets_200_after_4s=" << c_gets_200_late << " c_stale_documents=" << c_stale
          << " other_gets=" << other_gets << " other_gets_failed=" << other_gets_failed
          << " contested_pairs=" << contested_pairs << " contested_winners=" << winners
          << " rejoin_ms=" << rejoin_ms << " verified_via_others=" << verified_others
          << " verified_via_c=" << verified_c << " analyses=" << all.size()
          << " total_s=" << ms_since(started) / 1000.0;
  std::cout << summary.str() << std::endl;
  RecordProperty("summary", summary.str());

  EXPECT_GE(first_503_ms, 0) << "node C never refused a write";
  EXPECT_LE(first_503_ms, refuse_limit.count()) << "node C refused writes too late";
  EXPECT_EQ(c_writes_late_accepted, 0);
  EXPECT_EQ(c_stale, 0);
  EXPECT_GE(takeover_ms, 0) << "the other nodes did not serve C's analyses within 20 s";
  EXPECT_LE(takeover_ms, takeover_limit.count()) << "the takeover took too long";
  EXPECT_EQ(other_gets_failed, 0);
  EXPECT_LE(winners, static_cast<int>(contested.size())); // and no analysis two (findings)
  EXPECT_GE(rejoin_ms, 0) << "node C did not hold shards again within 30 s of healing";
  EXPECT_EQ(bad.count(), 0u) << bad.count() << " findings, the first ones:\n" << bad.text();
  if (HasFailure())
    dump_logs();
}

} // namespace
} // namespace analysisd::test
