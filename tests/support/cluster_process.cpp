#include "tests/support/cluster_process.hpp"

#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_process.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/virtool_models.hpp"

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace analysisd::test {

std::size_t test_cluster_nodes() {
  const char* env = std::getenv("ANALYSISD_TEST_CLUSTER");
  if (env == nullptr || *env == '\0')
    return 0;
  char* end = nullptr;
  long n = std::strtol(env, &end, 10);
  if (*end != '\0' || n < 0 || n > 16)
    throw std::invalid_argument("ANALYSISD_TEST_CLUSTER must be a node count from 0 to 16, not "
                                + std::string{env});
  return static_cast<std::size_t>(n);
}

namespace {

// A cluster's state is its data dir and its database: a cluster started
// again on a data dir (of the same PostgreSQL, in this test program) finds
// the database the one before it used, as a single node finds its data dir.
std::string database_of(postgres_process& postgres, const std::string& data_dir) {
  static std::mutex mutex;
  static std::map<std::pair<std::uint16_t, std::string>, std::string> databases;
  std::lock_guard<std::mutex> lock{mutex};
  auto key = std::make_pair(postgres.port(), boost::filesystem::absolute(data_dir).string());
  auto i = databases.find(key);
  if (i == databases.end())
    i = databases.emplace(key, postgres.create_database()).first;
  return i->second;
}

} // namespace

cluster_process::cluster_process(std::string data_dir, cluster_process_options opts)
  : data_dir_(std::move(data_dir)), opts_(std::move(opts)) {
  if (opts_.nodes == 0)
    throw std::invalid_argument("cluster_process: no nodes");
  boost::filesystem::create_directories(data_dir_);
  conninfo_ = database_of(opts_.postgres ? *opts_.postgres : postgres_process::shared(), data_dir_);
  nodes_.resize(opts_.nodes);
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].name = "node" + std::to_string(i + 1);
    nodes_[i].log_path = data_dir_ + "." + nodes_[i].name + ".log";
    nodes_[i].http_port = free_port();
    nodes_[i].cluster_port = free_port();
    spawn(i);
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    // A node that exits at once may have lost a port to another program
    // between free_port() and its bind: it gets fresh ones, twice.
    for (int attempt = 0;; ++attempt) {
      if (wait_ready(i))
        break;
      if (nodes_[i].pid > 0 || attempt == 2)
        fail(nodes_[i].name + " did not become ready");
      nodes_[i].http_port = free_port();
      nodes_[i].cluster_port = free_port();
      spawn(i);
    }
  }
  settle();
}

cluster_process::~cluster_process() {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].pid > 0)
      stop(i);
}

std::size_t cluster_process::add_node() {
  std::size_t i = nodes_.size();
  nodes_.emplace_back();
  auto& n = nodes_.back();
  n.name = "node" + std::to_string(i + 1);
  n.log_path = data_dir_ + "." + n.name + ".log";
  for (int attempt = 0;; ++attempt) {
    nodes_[i].http_port = free_port();
    nodes_[i].cluster_port = free_port();
    spawn(i);
    if (wait_ready(i))
      return i;
    if (nodes_[i].pid > 0 || attempt == 2)
      fail(nodes_[i].name + " (added) did not become ready");
  }
}

std::vector<std::uint16_t> cluster_process::ports() const {
  std::vector<std::uint16_t> out;
  for (auto& n : nodes_)
    out.push_back(n.http_port);
  return out;
}

void cluster_process::spawn(std::size_t i) {
  auto& n = nodes_.at(i);
  auto ms = [](int v) { return std::to_string(v); };
  std::vector<std::string> argv{server_binary(),
                                "--listen",
                                "127.0.0.1:" + std::to_string(n.http_port),
                                "--data-dir",
                                data_dir_,
                                "--cluster-postgres",
                                conninfo_,
                                "--node-name",
                                n.name,
                                "--cluster-listen",
                                opts_.cluster_listen_host + ":" + std::to_string(n.cluster_port),
                                "--shards",
                                ms(opts_.shards),
                                "--heartbeat-ms",
                                ms(opts_.heartbeat_ms),
                                "--lease-ttl-ms",
                                ms(opts_.lease_ttl_ms),
                                "--stable-after-ms",
                                ms(opts_.stable_after_ms),
                                "--max-handoffs",
                                ms(opts_.max_handoffs),
                                "--peer-timeout-ms",
                                ms(opts_.peer_timeout_ms)};
  if (!opts_.cluster_advertise_host.empty()) {
    argv.push_back("--cluster-advertise");
    argv.push_back(opts_.cluster_advertise_host + ":" + std::to_string(n.cluster_port));
  }
  argv.insert(argv.end(), opts_.args.begin(), opts_.args.end());
  n.pid = spawn_logged(argv, {{"ANALYSISD_ADMIN_TOKEN", opts_.admin_token}}, n.log_path, true);
  register_real_server(n.http_port);
}

bool cluster_process::wait_ready(std::size_t i, std::chrono::milliseconds timeout) {
  auto& n = nodes_.at(i);
  if (n.pid <= 0)
    return false;
  return wait_until_ok(n.pid, n.http_port, "/readyz", timeout) == wait_outcome::ready;
}

void cluster_process::kill(std::size_t i) {
  auto& n = nodes_.at(i);
  signal_and_wait(n.pid, SIGKILL);
  n.pid = -1;
}

int cluster_process::stop(std::size_t i) {
  auto& n = nodes_.at(i);
  if (n.pid <= 0)
    return -1;
  int code = signal_and_wait(n.pid, SIGTERM);
  n.pid = -1;
  return code;
}

void cluster_process::restart(std::size_t i) {
  auto& n = nodes_.at(i);
  if (n.pid > 0)
    throw std::logic_error("cluster_process::restart: " + n.name + " still runs");
  for (int attempt = 0; attempt < 4; ++attempt) {
    // The same ports first; the killed node's connections may leave its
    // inter-node port taken for a while, then its HTTP port.
    if (attempt >= 1)
      n.cluster_port = free_port();
    if (attempt >= 2)
      n.http_port = free_port();
    spawn(i);
    if (wait_ready(i))
      return;
    if (n.pid > 0)
      break; // running but not ready: not a port problem
  }
  fail(n.name + " did not become ready after a restart");
}

bool cluster_process::alive(std::size_t i) {
  auto& n = nodes_.at(i);
  if (!still_running(n.pid))
    n.pid = -1;
  return n.pid > 0;
}

std::string cluster_process::log(std::size_t i) const {
  return whole_file(nodes_.at(i).log_path);
}

std::string cluster_process::logs() const {
  std::string out;
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    out += "---- " + nodes_[i].name + " (HTTP " + std::to_string(nodes_[i].http_port) + ", CAF "
           + std::to_string(nodes_[i].cluster_port) + ") ----\n" + log(i);
  return out;
}

std::chrono::milliseconds cluster_process::settle_time() const {
  int handoff_rounds = (opts_.shards + opts_.max_handoffs - 1) / opts_.max_handoffs;
  return std::chrono::milliseconds(opts_.stable_after_ms
                                   + (handoff_rounds + 3) * opts_.heartbeat_ms);
}

namespace {

/// The value of an unlabelled metric in a /metrics body; -1 if missing.
double metric_value(const std::string& body, const std::string& name) {
  auto at = body.find("\n" + name + " ");
  if (at == std::string::npos)
    return -1;
  return std::strtod(body.c_str() + at + name.size() + 2, nullptr);
}

} // namespace

bool cluster_process::wait_settled(std::chrono::milliseconds timeout) {
  // /metrics wants the admin token: a cluster started without one (each node
  // then makes its own) gets the idle machine's settle time.
  if (opts_.admin_token.empty()) {
    std::this_thread::sleep_for(settle_time());
    return true;
  }
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + timeout;
  std::vector<double> last;
  int unchanged = 0; // polls in a row (after the first) with the same counts
  for (;;) {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].pid > 0 && !alive(i))
        fail(nodes_[i].name + " exited while the shards settled");
    auto running = static_cast<double>(
      std::count_if(nodes_.begin(), nodes_.end(), [](const node& n) { return n.pid > 0; }));
    // Each node's held shards, while every node counts all the running ones
    // as members (one that has not seen a newcomer yet would still move
    // shards to it); empty otherwise.
    std::vector<double> held;
    double sum = 0;
    for (auto& n : nodes_) {
      if (n.pid <= 0)
        continue;
      http_client one{n.http_port};
      one.set_timeout(std::chrono::milliseconds(std::max(1000, 10 * opts_.heartbeat_ms)));
      http_response metrics;
      try {
        metrics = one.get("/metrics", bearer(opts_.admin_token));
      } catch (const std::exception&) {
        // Not answering in time: poll again.
      }
      double shards = metric_value(metrics.body, "analysisd_cluster_shards_held");
      if (metrics.status != 200 || shards < 0
          || metric_value(metrics.body, "analysisd_cluster_members") != running) {
        held.clear();
        break;
      }
      held.push_back(shards);
      sum += shards;
    }
    // Unchanged over two heartbeats, and never sooner than settle_time(): a
    // node routes by the leases it read in its last round, so it sees a shard
    // taken by another node a round later (a create sent at the first
    // agreement was once answered 503).
    unchanged = !held.empty() && held == last ? unchanged + 1 : 0;
    if (unchanged >= 2 && sum == opts_.shards
        && std::chrono::steady_clock::now() - start >= settle_time())
      return true;
    last = held;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(opts_.heartbeat_ms));
  }
}

void cluster_process::settle() {
  auto timeout = 20 * settle_time();
  if (!wait_settled(timeout))
    fail("the shards did not settle within " + std::to_string(timeout.count()) + " ms");
}

void cluster_process::fail(const std::string& what) {
  ADD_FAILURE() << "cluster: " << what << "; the nodes' logs:\n" << logs();
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    kill(i);
  throw std::runtime_error("cluster: " + what);
}

} // namespace analysisd::test
