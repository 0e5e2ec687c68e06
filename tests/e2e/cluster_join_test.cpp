// A 4th node joins a cluster of 3 under load: 4 client threads send GETs of
// existing analyses, uploads and finalizes of fresh ones (and the creates
// those need), each request to a random node (the new one too once it is
// ready). Checks: about a quarter of the shards (15-35%) are held by the new
// node within 15 s of its start (counted in PostgreSQL's shard_leases),
// every GET of an analysis that exists answers 200 with what was
// acknowledged, at most 1% of the writes are answered 503 (or not at all),
// and every acknowledged change is there at the end.

#include "tests/e2e/cluster_load.hpp"
#include "tests/support/cluster_process.hpp"
#include "tests/support/postgres_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>
#include <sstream>

namespace analysisd::test {
namespace {

using namespace cluster_load;

constexpr int shard_count = 256; // a quarter is 64 +- 7 (one sigma): 15-35% is >3.5 sigma
constexpr int client_threads = 4;
constexpr milliseconds join_limit{15000};

struct join_state {
  std::string token;
  std::atomic<std::uint16_t> ports[4];
  std::atomic<std::size_t> live{3};
  std::atomic<bool> stop{false};
  std::atomic<long> gets{0}, gets_failed{0}, writes{0}, writes_503{0}, writes_lost{0}, acked{0};
  findings bad;
  std::mutex all_m;
  std::vector<std::shared_ptr<tracked>> all;
};

http_response call(join_state& s, std::mt19937& rng, const http_request& req, int* node = nullptr) {
  auto i = std::uniform_int_distribution<std::size_t>(0, s.live.load() - 1)(rng);
  if (node)
    *node = static_cast<int>(i);
  return send_once(s.ports[i].load(), req);
}

std::string where(int node) {
  return " on node" + std::to_string(node + 1);
}

// A write: counts it, and its 503 or missing answer.
http_response write(join_state& s, std::mt19937& rng, const http_request& req, int* node) {
  ++s.writes;
  auto r = call(s, rng, req, node);
  if (r.status == 503)
    ++s.writes_503;
  else if (r.status == 0)
    ++s.writes_lost;
  return r;
}

std::shared_ptr<tracked> create(join_state& s, std::mt19937& rng) {
  int node = -1;
  auto r = write(s, rng, make_request("POST", "/admin/analyses", bearer(s.token), create_body().dump()), &node);
  if (r.status != 201) {
    if (!unknown(r.status))
      s.bad.add("create" + where(node) + ": " + std::to_string(r.status) + " " + r.body);
    return nullptr;
  }
  ++s.acked;
  auto doc = r.json();
  auto a = std::make_shared<tracked>();
  a->id = doc.at("id").get<std::string>();
  auto job = doc.at("job").at("id").get<std::string>();
  auto q = write(s, rng, make_request("PATCH", "/admin/jobs/" + job, bearer(s.token), R"({"acquired":true})"), &node);
  {
    std::lock_guard<std::mutex> g{s.all_m};
    s.all.push_back(a);
  }
  if (q.status != 200) {
    if (!unknown(q.status))
      s.bad.add("acquire" + where(node) + ": " + std::to_string(q.status) + " " + q.body);
    return nullptr;
  }
  a->auth = basic_auth(job, q.json().at("key").get<std::string>());
  return a;
}

void client(join_state& s, unsigned seed, std::vector<std::shared_ptr<tracked>> existing) {
  std::mt19937 rng{seed};
  std::shared_ptr<tracked> fresh; // being uploaded to, then finalized
  long counter = 0;
  while (!s.stop) {
    int op = std::uniform_int_distribution<int>(0, 99)(rng);
    if (op < 50) {
      auto& a = existing[std::uniform_int_distribution<std::size_t>(0, existing.size() - 1)(rng)];
      int node = -1;
      ++s.gets;
      auto r = call(s, rng, make_request("GET", "/api/analyses/" + a->id, a->auth), &node);
      if (r.status != 200) {
        ++s.gets_failed;
        s.bad.add("GET " + a->id + where(node) + ": " + std::to_string(r.status) + " "
                  + r.body.substr(0, 200));
      } else {
        check_document(s.bad, *a, r.json(), "GET" + where(node));
      }
      continue;
    }
    if (!fresh) {
      fresh = create(s, rng);
      continue;
    }
    int node = -1;
    if (op < 80 && fresh->next_file <= 3) {
      auto name = "f" + std::to_string(fresh->next_file++) + ".fa";
      std::string bytes = ">" + fresh->id + "/" + name + "\nACGTACGT\n";
      std::string content_type;
      auto body = multipart_body(bytes, content_type);
      auto r = write(s, rng,
                     make_request("POST", "/api/analyses/" + fresh->id + "/files?name=" + name + "&format=fasta",
                                  fresh->auth, body, content_type),
                     &node);
      if (r.status == 201) {
        ++s.acked;
        fresh->files[name] = {r.json().at("id").get<int>(), bytes};
      } else if (unknown(r.status)) {
        fresh->uncertain_files.insert(name);
      } else {
        s.bad.add("upload to " + fresh->id + where(node) + ": " + std::to_string(r.status) + " " + r.body);
      }
    } else {
      nlohmann::json results = {{"by", seed}, {"n", ++counter}};
      auto r = write(s, rng,
                     make_request("PATCH", "/api/analyses/" + fresh->id, fresh->auth,
                                  nlohmann::json{{"results", results}}.dump()),
                     &node);
      if (r.status == 200) {
        ++s.acked;
        fresh->results = results;
      } else if (unknown(r.status)) {
        fresh->finalize_uncertain = true;
      } else {
        s.bad.add("finalize of " + fresh->id + where(node) + ": " + std::to_string(r.status) + " " + r.body);
      }
      fresh = nullptr;
    }
  }
}

// Live shards per node name, from PostgreSQL.
std::map<std::string, int> shards_by_node(const std::string& conninfo) {
  std::map<std::string, int> out;
  for (auto& row : pg_rows(conninfo,
                           "SELECT m.node, count(*) FROM shard_leases l JOIN members m"
                           " ON m.incarnation = l.owner WHERE l.expires_at > now() GROUP BY m.node"))
    out[row.at(0)] = std::stoi(row.at(1));
  return out;
}

std::string describe(const std::map<std::string, int>& m) {
  std::string out;
  for (auto& [node, n] : m)
    out += (out.empty() ? "" : " ") + node + "=" + std::to_string(n);
  return out;
}

TEST(e2e_cluster, a_fourth_node_joins_under_load) {
  auto started = clock_type::now();
  temp_dir dir;
  cluster_process_options opts;
  opts.nodes = 3;
  opts.shards = shard_count;
  opts.max_handoffs = 16;
  cluster_process cluster{dir.path() + "/data", opts};
  join_state s;
  s.token = cluster.admin_token();
  for (std::size_t i = 0; i < 3; ++i)
    s.ports[i] = cluster.port(i);
  std::random_device seeder;
  const unsigned seed = seeder();
  std::mt19937 rng{seed};
  std::cout << "join: seed " << seed << std::endl;

  // Analyses that exist before the load: what the GETs read.
  std::vector<std::shared_ptr<tracked>> existing;
  while (existing.size() < 48) {
    if (auto a = create(s, rng))
      existing.push_back(a);
    ASSERT_LT(ms_since(started), 60000) << "cannot create the analyses: " << s.bad.text();
  }
  ASSERT_EQ(s.bad.count(), 0u) << s.bad.text();
  auto before = shards_by_node(cluster.conninfo());
  std::cout << "join: shards before: " << describe(before) << std::endl;

  std::vector<std::thread> clients;
  for (int i = 0; i < client_threads; ++i)
    clients.emplace_back([&s, &existing, w = rng()] { client(s, w, existing); });
  std::this_thread::sleep_for(milliseconds(2000));

  // The 4th node starts; its share is watched until it is a quarter and has
  // held still for a second, or the limit passes.
  auto join_started = clock_type::now();
  std::size_t fourth = 0;
  try {
    fourth = cluster.add_node();
  } catch (const std::exception& e) {
    s.stop = true;
    for (auto& t : clients)
      t.join();
    FAIL() << e.what();
  }
  auto ready_ms = ms_since(join_started);
  s.ports[3] = cluster.port(fourth);
  s.live = 4;
  int held = 0, last = -1;
  long long reached_ms = -1, still_since_ms = -1;
  std::map<std::string, int> after;
  const int low = shard_count * 15 / 100, high = shard_count * 35 / 100;
  while (ms_since(join_started) < join_limit.count()) {
    after = shards_by_node(cluster.conninfo());
    held = after.count("node4") ? after["node4"] : 0;
    auto now = ms_since(join_started);
    if (held != last) {
      last = held;
      still_since_ms = now;
    }
    if (held >= low && held <= high && reached_ms < 0)
      reached_ms = now;
    if (held >= low && held <= high && now - still_since_ms >= 1000)
      break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  auto settled_ms = still_since_ms;
  std::this_thread::sleep_for(milliseconds(1500)); // more load on 4 nodes
  s.stop = true;
  for (auto& t : clients)
    t.join();
  auto load_s = ms_since(started) / 1000.0;

  std::vector<std::shared_ptr<tracked>> all;
  {
    std::lock_guard<std::mutex> g{s.all_m};
    all = s.all;
  }
  auto verified = verify_acknowledged(
    s.bad, all, bearer(s.token),
    [&](const http_request& req) { return call(s, rng, req); },
    clock_type::now() + std::chrono::seconds(30));

  double share = 100.0 * held / shard_count;
  double rate_503 = s.writes ? 100.0 * (s.writes_503 + s.writes_lost) / s.writes : 0;
  std::ostringstream summary;
  summary << "join summary: node4_shards=" << held << "/" << shard_count << " (" << share
          << "%) after: " << describe(after) << " node4_ready_ms=" << ready_ms
          << " quarter_reached_ms=" << reached_ms << " last_change_ms=" << settled_ms
          << " gets=" << s.gets << " failed_gets=" << s.gets_failed << " writes=" << s.writes
          << " writes_503=" << s.writes_503 << " writes_unanswered=" << s.writes_lost << " ("
          << rate_503 << "%) acknowledged=" << s.acked << " verified=" << verified
          << " analyses=" << all.size() << " load_s=" << load_s
          << " total_s=" << ms_since(started) / 1000.0;
  std::cout << summary.str() << std::endl;
  RecordProperty("summary", summary.str());

  EXPECT_GE(held, low) << "the new node holds too few shards 15 s after its start";
  EXPECT_LE(held, high) << "the new node holds too many shards";
  EXPECT_EQ(s.gets_failed, 0);
  EXPECT_LE(rate_503, 1.0) << "more than 1% of the writes answered 503 or nothing";
  EXPECT_GT(s.acked, 0);
  EXPECT_EQ(s.bad.count(), 0u) << s.bad.count() << " findings, the first ones:\n" << s.bad.text();
  if (HasFailure())
    for (std::size_t i = 0; i < cluster.size(); ++i) {
      auto log = cluster.log(i);
      if (log.size() > 8000)
        log = "...\n" + log.substr(log.size() - 8000);
      std::cout << "---- node" << i + 1 << " log (tail) ----\n" << log << std::endl;
    }
}

} // namespace
} // namespace analysisd::test
