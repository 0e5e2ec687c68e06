#pragma once

#include "actors/cluster.hpp"
#include "actors/protocol.hpp"
#include "actors/read_views.hpp"
#include "http/body_budget.hpp"
#include "http/caller.hpp"
#include "http/request_record.hpp"
#include "http/route_regex.hpp"
#include "persistence/file_store.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <restinio/all.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace analysisd {

/// What the handlers share. Built by start_http(); read by asio threads.
struct http_context {
  explicit http_context(caf::actor_system& sys) : system(sys), calls(sys) {
  }

  caf::actor_system& system;
  /// Sends the registry the requests of the asio threads (http_detail::ask).
  caller calls;
  /// Set once recovery is done, before `ready` becomes true.
  registry_actor registry;
  /// The journal, for backups (set with `registry`; none in cluster mode).
  persistence_actor journal;
  /// Cluster mode's view of this node's leases and membership (set with
  /// `registry`; null on a single node): readiness says "unavailable" while
  /// the membership is not valid, and a GET is answered from a published
  /// view only while this node serves the analysis's shard.
  std::shared_ptr<const cluster_view> cluster;
  std::atomic<bool> ready{false};
  /// Set by a graceful shutdown: new requests are refused with 503.
  std::atomic<bool> draining{false};
  /// Set by the persistence actor once an fsync failed: writes get 503, and
  /// readiness says so.
  std::shared_ptr<std::atomic<bool>> read_only = std::make_shared<std::atomic<bool>>(false);
  /// Requests received and not yet answered.
  std::atomic<std::int64_t> in_flight{0};
  /// Actors that run work on behalf of asio threads (bridge_job): sending
  /// responses from handlers, parsing large bodies, and requests that
  /// need an actor's own handling of the answer.
  std::vector<caf::actor> bridges;
  std::atomic<std::size_t> next_bridge{0};
  std::string admin_token_hash; ///< SHA-256 of the admin token.
  std::uint64_t max_json_bytes = 64u << 20;
  std::uint64_t max_body_bytes = 4ull << 30; ///< Largest upload body.
  /// Where uploads stream their bytes (set with `registry`, before `ready`).
  std::shared_ptr<const file_store> files;
  /// What the actors publish for GETs answered without a message (set with
  /// `registry`, before `ready`; may stay null: every GET asks the actors).
  std::shared_ptr<const read_views> views;
  /// The memory that request bodies may hold across all connections.
  std::shared_ptr<body_budget> budget = std::make_shared<body_budget>(256u << 20);
  /// What an upload may hold in memory before its reading pauses for the disk.
  std::size_t upload_buffer_bytes = 1u << 20;
  /// The size of each connection's read buffer. 256 KiB instead of
  /// RESTinio's 4 KiB: a large upload is received in a quarter of the system
  /// calls (bench/); one per connection exists (README, memory).
  std::size_t read_buffer_bytes = 256u << 10;
  /// One access-log line per request (at level info).
  bool access_log = true;
  /// The streamed uploads whose bodies have not ended. An upload's writer
  /// and its connection hold each other until then, so a stop that closes
  /// the connections must end them (abort_open_uploads).
  struct open_sinks {
    std::mutex mutex;
    std::map<const restinio::body_sink_t*, std::weak_ptr<restinio::body_sink_t>> sinks;
  };
  std::shared_ptr<open_sinks> open_uploads = std::make_shared<open_sinks>();
};

/// Routes are matched with PCRE2 (http/route_regex.hpp), not std::regex:
/// std::regex's matcher was 5% of a GET's CPU (bench/, "profile GET") and
/// compiling the routes' regexes a quarter of a sanitized server's start.
using router_t =
  restinio::router::generic_express_router_t<route_regex_engine, request_record_factory>;

/// The routing table: every route of SPEC.md, 405 with Allow for known
/// paths with other methods, 404 for the rest.
std::unique_ptr<router_t> make_router(std::shared_ptr<http_context> ctx);

/// The routing table of --metrics-listen: GET /metrics without credentials
/// (the address is the operator's choice), 404 for the rest.
std::unique_ptr<router_t> make_metrics_router(std::shared_ptr<http_context> ctx);

/// Decides a request with a body at its head (SPEC.md, "Request heads
/// first"): refuses it with its error before the body is read, or streams
/// the body (uploads to their file, JSON bodies into memory up to their limit
/// once authenticated); `router` answers the routes whose body is ignored.
/// Called on an asio thread; never blocks.
restinio::request_head_decision_t decide_head(const std::shared_ptr<http_context>& ctx,
                                              const router_t& router,
                                              const request_ptr& req,
                                              restinio::body_reading_control_t control);

/// Ends the streamed uploads whose bodies never came to an end, as if their
/// connections had closed: their bytes and names go. Call once the HTTP
/// server stopped (no connection is served any more), before the actors stop.
void abort_open_uploads(http_context& ctx);

/// Spawns the bridge actors of `ctx` (call once, before serving).
void spawn_bridges(http_context& ctx, std::size_t count);

} // namespace analysisd
