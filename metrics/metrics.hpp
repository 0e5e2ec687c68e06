#pragma once

// The process's Prometheus metrics (prometheus-cpp's data model and text
// format). Everything a request or a journal batch touches is an atomic or a
// prometheus::Counter found without a lock (see service_metrics), so that
// recording never makes two requests wait for each other.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace prometheus {
class Counter;
class Registry;
template <typename T>
class Family;
} // namespace prometheus

namespace analysisd {

/// A histogram of integer observations (nanoseconds, bytes, records) with
/// fixed bucket bounds: one atomic add per bucket and one for the sum, no
/// lock (prometheus-cpp's Histogram takes a mutex at each observation).
/// Thread-safe.
class int_histogram {
public:
  /// `bounds` ascending, in the unit observed; `divisor` turns that unit
  /// into the exported one (1e9: nanoseconds exported as seconds).
  int_histogram(std::vector<std::uint64_t> bounds, double divisor);
  int_histogram(const int_histogram&) = delete;
  int_histogram& operator=(const int_histogram&) = delete;

  void observe(std::uint64_t value) noexcept;
  void observe(std::chrono::steady_clock::duration d) noexcept {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    observe(static_cast<std::uint64_t>(ns < 0 ? 0 : ns));
  }

  struct reading {
    std::vector<double> bounds;            ///< Exported unit, without +Inf.
    std::vector<std::uint64_t> cumulative; ///< One per bound, then +Inf.
    double sum = 0;
  };
  reading read() const;

private:
  const std::vector<std::uint64_t> bounds_;
  const double divisor_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_; ///< bounds_.size() + 1
  std::atomic<std::uint64_t> sum_{0};
};

/// The route patterns requests are counted by (never a raw path: it holds
/// ids).
enum class http_route : std::uint8_t {
  unmatched,
  api_analysis,
  api_files,
  api_file,
  analysis,
  files,
  file,
  admin_analyses,
  admin_analysis,
  admin_file,
  admin_job,
  admin_backup,
  readyz,
  healthz,
  livez,
  metrics,
  openapi,
  count_
};

/// "/api/analyses/{analysis_id}/files" and so on; "unmatched" for requests
/// that matched no route.
const char* route_pattern(http_route route);

/// The methods requests are counted by; `other` for any else.
enum class http_method_label : std::uint8_t { get, head, post, put, patch, del, options, other, count_ };

const char* method_name(http_method_label method);

/// What the registry says when /metrics is scraped.
struct registry_counts {
  std::uint64_t live = 0;    ///< Analyses whose actor runs.
  std::uint64_t dormant = 0; ///< Analyses held as state only.
};

class service_metrics {
public:
  service_metrics();
  ~service_metrics();
  service_metrics(const service_metrics&) = delete;
  service_metrics& operator=(const service_metrics&) = delete;

  /// Counts a finished request (`status` 0: it got no response).
  void request_done(http_route route, http_method_label method, unsigned status,
                    std::chrono::steady_clock::duration took) noexcept;

  std::atomic<std::int64_t> http_in_flight{0};
  /// Open connections on the API address (not --metrics-listen's), and
  /// --max-connections.
  std::atomic<std::uint64_t> http_connections{0};
  std::atomic<std::uint64_t> http_connections_limit{0};
  std::atomic<std::uint64_t> upload_bytes{0};   ///< Upload body bytes received.
  std::atomic<std::uint64_t> download_bytes{0}; ///< File bytes of downloads handed to the connection.
  /// Analysis GETs answered from a published view on the connection's
  /// thread, and those that went to the actors (no view, or not decidable
  /// from one).
  std::atomic<std::uint64_t> reads_from_views{0};
  std::atomic<std::uint64_t> reads_from_actors{0};
  /// Finalize heads authorized from the published job credentials on the
  /// connection's thread, and those the registry decided.
  std::atomic<std::uint64_t> heads_from_views{0};
  std::atomic<std::uint64_t> heads_from_actors{0};
  /// Cluster mode: GETs answered from a replica of another node's analysis
  /// (a read lease this node holds).
  std::atomic<std::uint64_t> reads_from_replicas{0};

  int_histogram journal_append_durable; ///< A record's append until it is durable.
  int_histogram journal_fsync;          ///< One fdatasync of the journal.
  int_histogram journal_batch_records;  ///< Records per group commit.
  int_histogram journal_batch_bytes;    ///< Bytes per group commit.
  std::atomic<std::uint64_t> journal_bytes_written{0};
  std::atomic<std::uint64_t> journal_bytes{0}; ///< The size of the journal being written.
  int_histogram snapshot_duration;             ///< Compaction: replay and snapshot write.
  std::atomic<std::uint64_t> snapshot_bytes{0}; ///< The size of the last snapshot written.
  std::atomic<std::uint64_t> snapshot_failures{0};
  std::atomic<std::uint64_t> recovery_ns{0};   ///< The recovery at start.

  /// Cluster mode (rendered once `cluster` is set): shards this node holds
  /// and live members, as of the cluster actor's last round; requests the
  /// router sent to another node, and sent again (a "not owner" answer, a
  /// shard nobody held, a read whose owner went away); journal writes that
  /// failed and made the shard registry drop an analysis's actor (fenced, or
  /// of unknown outcome); reservations abandoned because the peer that asked
  /// for them went down.
  std::atomic<bool> cluster{false};
  std::atomic<std::uint64_t> cluster_shards_held{0};
  std::atomic<std::uint64_t> cluster_members{0};
  std::atomic<std::uint64_t> cluster_forwarded{0};
  std::atomic<std::uint64_t> cluster_retried{0};
  std::atomic<std::uint64_t> cluster_failed_writes{0};
  std::atomic<std::uint64_t> cluster_reservations_abandoned{0};
  /// Read leases this node granted, and revoked (per holder and analysis).
  std::atomic<std::uint64_t> cluster_leases_granted{0};
  std::atomic<std::uint64_t> cluster_leases_revoked{0};

  /// The text exposition of every metric, the process's included;
  /// `counts` when the registry answered. Thread-safe.
  std::string render(const std::optional<registry_counts>& counts) const;

private:
  static constexpr std::size_t routes = static_cast<std::size_t>(http_route::count_);
  static constexpr std::size_t methods = static_cast<std::size_t>(http_method_label::count_);
  static constexpr std::size_t status_slots = 24;
  // The counter of one status, published once: `counter` is stored (release)
  // after `status`, and never changes after.
  struct status_slot {
    std::atomic<unsigned> status{0};
    std::atomic<prometheus::Counter*> counter{nullptr};
  };
  prometheus::Counter& slow_counter(http_route route, http_method_label method, unsigned status);

  std::unique_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_family_;
  std::mutex add_mutex_; ///< Only when a route, method and status combination is first seen.
  std::unique_ptr<std::array<std::array<std::array<status_slot, status_slots>, methods>, routes>>
    requests_;
  std::array<std::unique_ptr<int_histogram>, routes> durations_;
  std::chrono::system_clock::time_point start_;
};

/// The process's metrics. Thread-safe.
service_metrics& metrics();

} // namespace analysisd
