#include "metrics/metrics.hpp"

#include "persistence/log.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>

namespace analysisd {

int_histogram::int_histogram(std::vector<std::uint64_t> bounds, double divisor)
  : bounds_(std::move(bounds)), divisor_(divisor),
    counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    counts_[i].store(0, std::memory_order_relaxed);
}

void int_histogram::observe(std::uint64_t value) noexcept {
  // Bucket i counts bounds_[i-1] < value <= bounds_[i] (Prometheus' `le`).
  auto i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value)
                                    - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

int_histogram::reading int_histogram::read() const {
  reading r;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    r.cumulative.push_back(total);
    if (i < bounds_.size())
      r.bounds.push_back(static_cast<double>(bounds_[i]) / divisor_);
  }
  r.sum = static_cast<double>(sum_.load(std::memory_order_relaxed)) / divisor_;
  return r;
}

namespace {

// Durations in nanoseconds, from 50 us to 5 min.
std::vector<std::uint64_t> duration_bounds_ns() {
  std::vector<std::uint64_t> b;
  for (double s : {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                   0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0})
    b.push_back(static_cast<std::uint64_t>(std::llround(s * 1e9)));
  return b;
}

std::vector<std::uint64_t> powers(std::uint64_t from, std::uint64_t factor, std::uint64_t upto) {
  std::vector<std::uint64_t> b;
  for (auto x = from; x <= upto; x *= factor)
    b.push_back(x);
  return b;
}

constexpr double ns = 1e9; // nanoseconds in a second

const char* const route_patterns[] = {
  "unmatched",
  "/api/analyses/{analysis_id}",
  "/api/analyses/{analysis_id}/files",
  "/api/analyses/{analysis_id}/files/{file_id}",
  "/analyses/{analysis_id}",
  "/analyses/{analysis_id}/files",
  "/analyses/{analysis_id}/files/{file_id}",
  "/admin/analyses",
  "/admin/analyses/{analysis_id}",
  "/admin/analyses/{analysis_id}/files/{file_id}",
  "/admin/jobs/{job_id}",
  "/admin/backup",
  "/readyz",
  "/healthz",
  "/livez",
  "/metrics",
  "/openapi.yaml",
};
static_assert(sizeof(route_patterns) / sizeof(route_patterns[0])
              == static_cast<std::size_t>(http_route::count_));

const char* const method_names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"};
static_assert(sizeof(method_names) / sizeof(method_names[0])
              == static_cast<std::size_t>(http_method_label::count_));

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

prometheus::ClientMetric value_metric(double v, prometheus::MetricType type,
                                      std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  if (type == prometheus::MetricType::Counter)
    m.counter.value = v;
  else
    m.gauge.value = v;
  return m;
}

void add_value(std::vector<prometheus::MetricFamily>& out, std::string name, std::string help,
               prometheus::MetricType type, double v) {
  auto f = family(std::move(name), std::move(help), type);
  f.metric.push_back(value_metric(v, type));
  out.push_back(std::move(f));
}

// A counter family with one value per source, in the order given.
void add_by_source(std::vector<prometheus::MetricFamily>& out, std::string name, std::string help,
                   std::initializer_list<std::pair<const char*, std::uint64_t>> sources) {
  auto f = family(std::move(name), std::move(help), prometheus::MetricType::Counter);
  for (auto& [source, v] : sources)
    f.metric.push_back(value_metric(static_cast<double>(v), prometheus::MetricType::Counter,
                                    {{"source", source}}));
  out.push_back(std::move(f));
}

prometheus::ClientMetric histogram_metric(const int_histogram& h,
                                          std::vector<prometheus::ClientMetric::Label> labels = {}) {
  auto r = h.read();
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  for (std::size_t i = 0; i < r.cumulative.size(); ++i) {
    prometheus::ClientMetric::Bucket b;
    b.cumulative_count = r.cumulative[i];
    b.upper_bound = i < r.bounds.size() ? r.bounds[i] : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back(b);
  }
  m.histogram.sample_count = r.cumulative.back();
  m.histogram.sample_sum = r.sum;
  return m;
}

void add_histogram(std::vector<prometheus::MetricFamily>& out, std::string name,
                   std::string help, const int_histogram& h) {
  auto f = family(std::move(name), std::move(help), prometheus::MetricType::Histogram);
  f.metric.push_back(histogram_metric(h));
  out.push_back(std::move(f));
}

// The process metrics Prometheus' client libraries export, from /proc (the
// C++ client has none).
void add_process_metrics(std::vector<prometheus::MetricFamily>& out) {
  using prometheus::MetricType;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  std::ifstream stat_file{"/proc/self/stat"};
  std::string stat{std::istreambuf_iterator<char>(stat_file), {}};
  // Fields after the command name, which may hold spaces: field 3 onwards.
  auto close = stat.rfind(')');
  if (close != std::string::npos && tick > 0) {
    std::istringstream in{stat.substr(close + 2)};
    std::vector<std::string> f{std::istream_iterator<std::string>(in), {}};
    // f[0] is field 3 (state): utime 14, stime 15, starttime 22, vsize 23, rss 24.
    if (f.size() > 21) {
      double cpu = (std::stod(f[11]) + std::stod(f[12])) / tick;
      add_value(out, "process_cpu_seconds_total", "User and system CPU time spent in seconds.",
                MetricType::Counter, cpu);
      add_value(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
                MetricType::Gauge, std::stod(f[20]));
      add_value(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
                MetricType::Gauge, std::stod(f[21]) * page);
      std::ifstream proc_stat{"/proc/stat"};
      std::string key;
      double btime = -1;
      while (proc_stat >> key) {
        if (key == "btime") {
          proc_stat >> btime;
          break;
        }
      }
      if (btime >= 0)
        add_value(out, "process_start_time_seconds",
                  "Start time of the process since unix epoch in seconds.", MetricType::Gauge,
                  btime + std::stod(f[19]) / tick);
    }
  }
  if (DIR* d = ::opendir("/proc/self/fd")) {
    double fds = 0;
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.')
        ++fds;
    ::closedir(d);
    add_value(out, "process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
              fds - 1); // not the one reading the directory
  }
  struct rlimit rl {};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0)
    add_value(out, "process_max_fds", "Maximum number of open file descriptors.",
              MetricType::Gauge, static_cast<double>(rl.rlim_cur));
}

} // namespace

const char* route_pattern(http_route route) {
  auto i = static_cast<std::size_t>(route);
  return i < static_cast<std::size_t>(http_route::count_) ? route_patterns[i] : "unmatched";
}

const char* method_name(http_method_label method) {
  auto i = static_cast<std::size_t>(method);
  return i < static_cast<std::size_t>(http_method_label::count_) ? method_names[i] : "other";
}

service_metrics::service_metrics()
  : journal_append_durable(duration_bounds_ns(), ns), journal_fsync(duration_bounds_ns(), ns),
    journal_batch_records(powers(1, 2, 4096), 1), journal_batch_bytes(powers(256, 4, 1u << 28), 1),
    snapshot_duration(duration_bounds_ns(), ns), registry_(std::make_unique<prometheus::Registry>()),
    requests_(std::make_unique<
              std::array<std::array<std::array<status_slot, status_slots>, methods>, routes>>()),
    start_(std::chrono::system_clock::now()) {
  requests_family_ = &prometheus::BuildCounter()
                        .Name("analysisd_http_requests_total")
                        .Help("HTTP requests by route pattern, method and status (status "
                              "\"none\": no response was sent).")
                        .Register(*registry_);
  for (auto& h : durations_)
    h = std::make_unique<int_histogram>(duration_bounds_ns(), ns);
}

service_metrics::~service_metrics() = default;

prometheus::Counter& service_metrics::slow_counter(http_route route, http_method_label method,
                                                   unsigned status) {
  std::lock_guard<std::mutex> guard{add_mutex_};
  auto& slots = (*requests_)[static_cast<std::size_t>(route)][static_cast<std::size_t>(method)];
  for (auto& s : slots) {
    auto* c = s.counter.load(std::memory_order_acquire);
    if (c != nullptr && s.status.load(std::memory_order_relaxed) == status)
      return *c;
  }
  // Family::Add returns the counter these labels already have, if any.
  auto& c = requests_family_->Add({{"route", route_pattern(route)},
                                   {"method", method_name(method)},
                                   {"status", status == 0 ? "none" : std::to_string(status)}});
  for (auto& s : slots) {
    if (s.counter.load(std::memory_order_relaxed) == nullptr) {
      s.status.store(status, std::memory_order_relaxed);
      s.counter.store(&c, std::memory_order_release);
      break;
    }
  }
  return c;
}

void service_metrics::request_done(http_route route, http_method_label method, unsigned status,
                                   std::chrono::steady_clock::duration took) noexcept {
  if (route >= http_route::count_)
    route = http_route::unmatched;
  if (method >= http_method_label::count_)
    method = http_method_label::other;
  durations_[static_cast<std::size_t>(route)]->observe(took);
  auto& slots = (*requests_)[static_cast<std::size_t>(route)][static_cast<std::size_t>(method)];
  for (auto& s : slots) {
    auto* c = s.counter.load(std::memory_order_acquire);
    if (c == nullptr)
      break;
    if (s.status.load(std::memory_order_relaxed) == status) {
      c->Increment();
      return;
    }
  }
  try {
    slow_counter(route, method, status).Increment();
  } catch (...) {
    // Out of memory for a new label set: the request goes uncounted.
  }
}

std::string service_metrics::render(const std::optional<registry_counts>& counts) const {
  using prometheus::MetricType;
  auto families = registry_->Collect();

  auto durations = family("analysisd_http_request_duration_seconds",
                          "Time from a request's head to its response, by route pattern.",
                          MetricType::Histogram);
  for (std::size_t r = 0; r < routes; ++r) {
    // Routes never requested are left out, as counters are.
    if (durations_[r]->read().cumulative.back() == 0)
      continue;
    durations.metric.push_back(
      histogram_metric(*durations_[r], {{"route", route_pattern(static_cast<http_route>(r))}}));
  }
  families.push_back(std::move(durations));
  add_value(families, "analysisd_http_requests_in_flight",
            "Requests received and not yet answered.", MetricType::Gauge,
            static_cast<double>(http_in_flight.load()));
  add_value(families, "analysisd_http_connections",
            "Open connections (over the limit, new ones wait to be accepted).",
            MetricType::Gauge, static_cast<double>(http_connections.load()));
  add_value(families, "analysisd_http_connections_limit", "--max-connections.",
            MetricType::Gauge, static_cast<double>(http_connections_limit.load()));
  add_value(families, "analysisd_upload_bytes_received_total",
            "Upload body bytes received.", MetricType::Counter,
            static_cast<double>(upload_bytes.load()));
  add_value(families, "analysisd_download_bytes_sent_total",
            "File bytes of downloads handed to their connections.", MetricType::Counter,
            static_cast<double>(download_bytes.load()));
  const char* reads_help =
    "Analysis GETs by where they were answered: from the view an analysis actor published (on "
    "the connection's thread), by the actors, or (cluster mode) from a replica of another node's "
    "analysis under a read lease.";
  if (cluster.load())
    add_by_source(families, "analysisd_analysis_reads_total", reads_help,
                  {{"view", reads_from_views.load()},
                   {"actors", reads_from_actors.load()},
                   {"replica", reads_from_replicas.load()}});
  else
    add_by_source(families, "analysisd_analysis_reads_total", reads_help,
                  {{"view", reads_from_views.load()}, {"actors", reads_from_actors.load()}});
  add_by_source(families, "analysisd_finalize_heads_total",
                "Finalize request heads by who decided them before the body was read: the "
                "published job credentials (on the connection's thread) or the actors.",
                {{"view", heads_from_views.load()}, {"actors", heads_from_actors.load()}});

  add_histogram(families, "analysisd_journal_append_duration_seconds",
                "Time from a record's append until it is durable (group commit and fdatasync).",
                journal_append_durable);
  add_histogram(families, "analysisd_journal_fsync_duration_seconds",
                "Time of one fdatasync of the journal.", journal_fsync);
  add_histogram(families, "analysisd_journal_batch_records",
                "Records written by one group commit.", journal_batch_records);
  add_histogram(families, "analysisd_journal_batch_bytes", "Bytes written by one group commit.",
                journal_batch_bytes);
  add_value(families, "analysisd_journal_written_bytes_total",
            "Bytes appended durably to journals.", MetricType::Counter,
            static_cast<double>(journal_bytes_written.load()));
  add_value(families, "analysisd_journal_bytes",
            "Bytes in the journal being written (a snapshot starts a new one).",
            MetricType::Gauge, static_cast<double>(journal_bytes.load()));
  add_histogram(families, "analysisd_snapshot_duration_seconds",
                "Time to write a snapshot (replaying the journals it folds in included).",
                snapshot_duration);
  add_value(families, "analysisd_snapshot_bytes", "Size of the last snapshot written.",
            MetricType::Gauge, static_cast<double>(snapshot_bytes.load()));
  add_value(families, "analysisd_snapshot_failures_total", "Snapshots that failed.",
            MetricType::Counter, static_cast<double>(snapshot_failures.load()));
  add_value(families, "analysisd_recovery_duration_seconds",
            "Time the recovery at start took (snapshot load and journal replay).",
            MetricType::Gauge, static_cast<double>(recovery_ns.load()) / ns);
  if (cluster.load()) {
    add_value(families, "analysisd_cluster_shards_held",
              "Shards whose lease this node holds (cluster mode).", MetricType::Gauge,
              static_cast<double>(cluster_shards_held.load()));
    add_value(families, "analysisd_cluster_members", "Live members of the cluster.",
              MetricType::Gauge, static_cast<double>(cluster_members.load()));
    add_value(families, "analysisd_cluster_forwarded_requests_total",
              "Requests sent on to the node that owns their analysis.", MetricType::Counter,
              static_cast<double>(cluster_forwarded.load()));
    add_value(families, "analysisd_cluster_retried_requests_total",
              "Requests sent again because the node asked did not own the analysis (any "
              "more) or could not be reached.",
              MetricType::Counter, static_cast<double>(cluster_retried.load()));
    add_value(families, "analysisd_cluster_abandoned_reservations_total",
              "Upload reservations abandoned because the node that asked for them went "
              "down before it committed them, or was answered too late to use them.",
              MetricType::Counter, static_cast<double>(cluster_reservations_abandoned.load()));
    add_value(families, "analysisd_cluster_failed_writes_total",
              "Journal writes that failed (fenced, or of unknown outcome): the analysis's "
              "actor was dropped and the analysis is loaded again.",
              MetricType::Counter, static_cast<double>(cluster_failed_writes.load()));
    add_value(families, "analysisd_cluster_read_leases_granted_total",
              "Read leases this node granted to other nodes on analyses it owns.",
              MetricType::Counter, static_cast<double>(cluster_leases_granted.load()));
    add_value(families, "analysisd_cluster_read_leases_revoked_total",
              "Read leases this node revoked (a change, or a handoff) before they ran out.",
              MetricType::Counter, static_cast<double>(cluster_leases_revoked.load()));
  }
  if (counts) {
    add_value(families, "analysisd_analyses", "Analyses held (live and dormant).",
              MetricType::Gauge, static_cast<double>(counts->live + counts->dormant));
    add_value(families, "analysisd_analysis_actors", "Analyses whose actor runs.",
              MetricType::Gauge, static_cast<double>(counts->live));
    add_value(families, "analysisd_dormant_analyses",
              "Analyses held as state only, without an actor.", MetricType::Gauge,
              static_cast<double>(counts->dormant));
  }
  add_value(families, "analysisd_log_lines_dropped_total",
            "Log lines dropped because the log buffer was full or their write failed.", MetricType::Counter,
            static_cast<double>(log_lines_dropped()));
  add_process_metrics(families);
  return prometheus::TextSerializer{}.Serialize(families);
}

service_metrics& metrics() {
  static service_metrics m;
  return m;
}

} // namespace analysisd
