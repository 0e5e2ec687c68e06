#pragma once

// Runs N real analysisd nodes in cluster mode for end-to-end tests: a
// database of the test program's private PostgreSQL (postgres_process), each
// node on free loopback ports for HTTP and for the inter-node (CAF)
// interface, one data dir they all share, one admin token, and short
// timings so that a killed node's shards move within a couple of seconds.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace analysisd::test {

class postgres_process;

struct cluster_process_options {
  std::size_t nodes = 3;
  int heartbeat_ms = 100;
  int lease_ttl_ms = 1000;
  int stable_after_ms = 300;
  int peer_timeout_ms = 2000;
  int shards = 64;
  int max_handoffs = 64;
  /// Extra command-line arguments for every node (e.g. --max-body-bytes).
  std::vector<std::string> args;
  std::string admin_token = "test-admin-token";
  /// The PostgreSQL to make the database on (nullptr: postgres_process::shared()).
  postgres_process* postgres = nullptr;
  /// The host of each node's --cluster-listen (e.g. 0.0.0.0 for peers in
  /// another network namespace) and, if not empty, of its
  /// --cluster-advertise (what peers connect to).
  std::string cluster_listen_host = "127.0.0.1";
  std::string cluster_advertise_host;
  /// How long the constructor and wait_ready() wait for a node.
  std::chrono::milliseconds ready_timeout{std::chrono::seconds(30)};
};

/// The number of nodes ANALYSISD_TEST_CLUSTER asks for (0: unset, run one
/// single-node server as usual).
std::size_t test_cluster_nodes();

class cluster_process {
public:
  /// Makes a fresh database on postgres_process::shared() (or `postgres`),
  /// the same one again for a data dir a cluster of this test program ran
  /// on before (its state is the data dir and the database; so a test that
  /// removes a data dir and starts a cluster on the same path again finds
  /// the old database), starts every node
  /// on `data_dir` (created if missing) and waits until each answers /readyz
  /// 200 and the shards settled (settle()). Throws std::runtime_error (after
  /// an ADD_FAILURE with the nodes' logs) if a node exits or is not ready in
  /// time: a binary without cluster mode fails here, clearly.
  explicit cluster_process(std::string data_dir, cluster_process_options opts = {});
  /// Stops every node still running (SIGTERM, then waits).
  ~cluster_process();
  cluster_process(const cluster_process&) = delete;
  cluster_process& operator=(const cluster_process&) = delete;

  std::size_t size() const {
    return nodes_.size();
  }
  /// Each node's HTTP port, node 0 first. A restarted node keeps its port
  /// unless it was taken meanwhile.
  std::vector<std::uint16_t> ports() const;
  std::uint16_t port(std::size_t i) const {
    return nodes_.at(i).http_port;
  }
  /// Node i's inter-node (CAF) port.
  std::uint16_t cluster_port(std::size_t i) const {
    return nodes_.at(i).cluster_port;
  }
  /// Node i's PID (-1 when it is not running).
  pid_t pid(std::size_t i) const {
    return nodes_.at(i).pid;
  }
  const std::string& data_dir() const {
    return data_dir_;
  }
  const std::string& admin_token() const {
    return opts_.admin_token;
  }
  /// The libpq connection string of the cluster's database.
  const std::string& conninfo() const {
    return conninfo_;
  }
  const cluster_process_options& options() const {
    return opts_;
  }

  /// Starts one more node (named node<size()+1>) on the same database and
  /// data dir, and waits until it is ready (not for the shards to settle);
  /// returns its index. Throws std::runtime_error (after an ADD_FAILURE with
  /// the logs) if it does not become ready.
  std::size_t add_node();

  /// SIGKILL to node i, then reaps it (a crash).
  void kill(std::size_t i);
  /// SIGTERM to node i and waits; its exit status (-1: a signal, or not running).
  int stop(std::size_t i);
  /// Starts node i again (it must not be running) with the same name and
  /// ports, and waits until it is ready (as wait_ready). If it exits at once
  /// because a port is still taken, it tries fresh ports. Throws
  /// std::runtime_error if it does not become ready.
  void restart(std::size_t i);
  /// Waits until node i answers /readyz 200; false if it exited or
  /// `timeout` passed.
  bool wait_ready(std::size_t i, std::chrono::milliseconds timeout);
  bool wait_ready(std::size_t i) {
    return wait_ready(i, opts_.ready_timeout);
  }
  /// True while node i runs.
  bool alive(std::size_t i);
  /// Everything node i wrote so far (all its runs).
  std::string log(std::size_t i) const;
  /// Every node's log, each headed by its name.
  std::string logs() const;
  /// How long the shards may take to settle after membership changes
  /// (stable-after plus the handoffs plus a few heartbeats) on an idle
  /// machine.
  std::chrono::milliseconds settle_time() const;
  /// Waits until the shards settled: every running node counts them all as
  /// members, and the shards they hold (their /metrics) add up to all the
  /// shards, unchanged over two heartbeats, and settle_time() has passed. A
  /// loaded machine can take several times settle_time(); false after
  /// `timeout`. Fails the test (as the constructor does) if a node exits
  /// meanwhile. Without an admin token (no /metrics) it sleeps settle_time().
  bool wait_settled(std::chrono::milliseconds timeout);
  /// wait_settled with 20 settle_time()s, failing the test (ADD_FAILURE with
  /// the logs, then std::runtime_error) if the shards do not settle.
  void settle();

private:
  struct node {
    std::string name;
    std::string log_path;
    std::uint16_t http_port = 0;
    std::uint16_t cluster_port = 0;
    pid_t pid = -1;
  };

  void spawn(std::size_t i);
  [[noreturn]] void fail(const std::string& what);

  std::string data_dir_;
  cluster_process_options opts_;
  std::string conninfo_;
  std::vector<node> nodes_;
};

} // namespace analysisd::test
