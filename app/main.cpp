// analysisd: wires the configuration, the actors and the HTTP server together.

#include "actors/remote_facade.hpp"
#include "actors/service.hpp"
#include "app/admin.hpp"
#include "app/cluster_node.hpp"
#include "app/config.hpp"
#include "app/cpu_budget.hpp"
#include "http/server.hpp"
#include "metrics/metrics.hpp"
#include "persistence/data_dir.hpp"
#include "persistence/log.hpp"
#include "persistence/storage.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <systemd/sd-daemon.h>
#include <sys/resource.h>

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

using namespace analysisd;

namespace {

// glibc's malloc maps its heaps with transparent huge pages only when told so
// by a tunable read at process start. With 4 KiB pages, page faults dominated
// loading a million analyses (half of the recovery time) and receiving a
// large upload (bench/). So, unless the environment already sets tunables,
// the process starts itself again once with that one set.
// It execs its own file by its real path, not /proc/self/exe, whose name
// ("exe") the kernel would give the process (ps, top, pgrep -x).
void restart_with_huge_pages(char** argv) {
  if (std::getenv("GLIBC_TUNABLES") != nullptr)
    return;
  char self[4096];
  auto n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0 || static_cast<std::size_t>(n) == sizeof(self) - 1)
    return; // no /proc, or a path too long: go on with normal pages
  self[n] = '\0';
  ::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
  ::execv(self, argv);
  ::unsetenv("GLIBC_TUNABLES"); // the file was replaced or removed: normal pages
}

// Raises the soft limit on open descriptors to the hard one, as a unit's
// LimitNOFILE does, and returns it. Connections, upload files and journals
// all take descriptors, and a shell's soft limit (1024) is below what the
// defaults may use (an accept that fails for want of one is tried again
// 100 ms later: RESTinio patch 0004).
std::uint64_t raise_descriptor_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0)
    return 0;
  // An unlimited hard limit is not a number of descriptors to promise.
  const rlim_t most = r.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : r.rlim_max;
  if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < most) {
    rlimit raised{most, r.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
      r.rlim_cur = most;
  }
  return static_cast<std::uint64_t>(r.rlim_cur);
}

std::string version_text() {
  return std::string{"analysisd "} + ANALYSISD_VERSION + "\ncommit " + ANALYSISD_COMMIT
         + "\nbuild " + ANALYSISD_BUILD + "\n";
}

// Tells systemd (Type=notify units; a no-op elsewhere) that the service is
// alive every half WatchdogSec, as long as the registry, the actor every
// request goes through, answers within that half.
class watchdog {
public:
  watchdog(caf::actor_system& sys, registry_actor registry) {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
      return;
    auto interval = std::chrono::microseconds(usec / 2);
    thread_ = std::thread([this, &sys, registry, interval] {
      caf::scoped_actor self{sys};
      std::unique_lock<std::mutex> lock{mutex_};
      while (!stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
        bool healthy = false;
        self->request(registry, interval, list_atom::value, list_request{1, 1})
          .receive([&](const std::string&) { healthy = true; }, [](const caf::error&) {});
        if (healthy)
          sd_notify(0, "WATCHDOG=1");
        else
          log_warning("watchdog: the registry did not answer in time; not telling systemd "
                      "that the service is alive");
      }
    });
  }
  ~watchdog() {
    {
      std::lock_guard<std::mutex> lock{mutex_};
      stopping_ = true;
    }
    stop_cv_.notify_all();
    if (thread_.joinable())
      thread_.join();
  }

private:
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// Publishes the remote facade on --remote-listen, over TLS with the
// --remote-tls-* files; an error message, or "".
std::string publish_remote(const server_config& cfg, const remote_registry_v1& facade) {
  std::string host;
  std::uint16_t port = 0;
  split_listen(cfg.remote_listen, host, port); // checked by the parser
  auto published = cfg.remote_tls_certificate.empty()
                     ? caf::io::publish(facade, port, host.c_str(), true)
                     : caf::openssl::publish(facade, port, host.c_str(), true);
  if (!published)
    return facade.home_system().render(published.error());
  return "";
}

} // namespace

int main(int argc, char** argv) {
  // The operator's commands (app/admin.hpp) are short-lived clients: none of
  // the server's process set-up below.
  if (argc > 1 && (std::string{argv[1]} == "admin" || std::string{argv[1]} == "backup")) {
    std::vector<std::string> environment;
    for (char** e = environ; *e != nullptr; ++e)
      environment.emplace_back(*e);
    std::vector<std::string> args{argv + 2, argv + argc};
    return std::string{argv[1]} == "admin"
             ? run_admin(args, environment, std::cout, std::cerr)
             : run_offline_backup(args, environment, std::cout, std::cerr);
  }
  restart_with_huge_pages(argv);
  // Block the stop signals before any thread exists, so that every thread
  // inherits the mask and only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP); // never ends the process: it reopens the log file
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  server_config cfg;
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e)
    environment.emplace_back(*e);
  auto parsed = parse_command_line({argv + 1, argv + argc}, environment, cfg);
  if (!parsed.run) {
    if (parsed.version)
      std::cout << version_text();
    std::cout << parsed.out;
    std::cerr << parsed.err;
    return parsed.exit_code;
  }
  http_options http;
  split_listen(cfg.listen, http.host, http.port); // checked by the parser
  const auto& cpus = process_cpu_budget();
  http.threads = cfg.threads != 0 ? cfg.threads : default_http_threads(cpus);
  http.max_connections = cfg.max_connections;
  http.read_timeout = std::chrono::seconds(cfg.read_timeout);
  http.write_timeout = std::chrono::seconds(cfg.write_timeout);
  http.handle_timeout = std::chrono::seconds(cfg.handle_timeout);
  // Logging first: everything after it is logged where the options say.
  log_options log_opts;
  log_opts.level = cfg.log_level;
  log_opts.format = cfg.log_format;
  log_opts.file = cfg.log_file;
  if (std::string err; !init_logging(log_opts, err)) {
    std::cerr << "analysisd: " << err << "\n";
    return 2;
  }
  http_options metrics_http;
  metrics_http.threads = 1;
  metrics_http.metrics_only = true;
  if (!cfg.metrics_listen.empty())
    split_listen(cfg.metrics_listen, metrics_http.host, metrics_http.port); // checked by the parser
  const auto descriptors = raise_descriptor_limit();
  log_entry{log_level::info, "starting"}
    .field("version", ANALYSISD_VERSION)
    .field("commit", ANALYSISD_COMMIT)
    .field("build", ANALYSISD_BUILD)
    .field("pid", static_cast<std::uint64_t>(::getpid()))
    .field("data_dir", cfg.data_dir)
    .field("config", cfg.config_file)
    .field("listen", cfg.listen)
    .field("threads", static_cast<std::uint64_t>(http.threads))
    .field("max_connections", static_cast<std::uint64_t>(cfg.max_connections))
    .field("max_descriptors", descriptors)
    .field("max_body_bytes", static_cast<std::uint64_t>(cfg.max_body_bytes))
    .field("max_json_bytes", static_cast<std::uint64_t>(cfg.max_json_bytes))
    .field("max_body_memory", static_cast<std::uint64_t>(cfg.max_body_memory))
    .field("read_timeout_s", static_cast<std::uint64_t>(cfg.read_timeout))
    .field("write_timeout_s", static_cast<std::uint64_t>(cfg.write_timeout))
    .field("handle_timeout_s", static_cast<std::uint64_t>(cfg.handle_timeout))
    .field("drain_timeout_s", static_cast<std::uint64_t>(cfg.drain_timeout))
    .field("journal_rotate_bytes", static_cast<std::uint64_t>(cfg.journal_rotate_bytes))
    .field("actor_idle_ms", static_cast<std::uint64_t>(cfg.actor_idle_ms))
    .field("log_level", cfg.log_level)
    .field("access_log", cfg.access_log)
    .field("metrics_listen", cfg.metrics_listen)
    .write();
  for (auto& var : cfg.unknown_environment)
    log_warning("ignoring the environment variable " + var + ": it names no option");
  // A connection takes one; an upload, its file too; the rest is the
  // journal, the data dir, the log and the libraries' own.
  if (descriptors != 0 && 2 * cfg.max_connections + 256 > descriptors)
    log_warning("--max-connections " + std::to_string(cfg.max_connections)
                + " leaves few of the " + std::to_string(descriptors)
                + " descriptors this process may open (2 per connection and 256 more wanted); "
                  "raise LimitNOFILE (ulimit -n) or lower --max-connections");
  if (auto ec = posix_storage().create_dir(cfg.data_dir)) {
    log_error("cannot create " + cfg.data_dir + ": " + ec.message());
    return 1;
  }
  // Before anything in the data dir is read: one server per data dir. (In
  // cluster mode every node shares it for the uploaded files, and holds no
  // other state there.)
  bool clustered = !cfg.cluster_postgres.empty();
  std::shared_ptr<const data_dir_lock> lock;
  if (!clustered) {
    std::string lock_error;
    lock = data_dir_lock::acquire(cfg.data_dir, lock_error);
    if (!lock) {
      log_error(lock_error);
      return 1;
    }
  }
  std::string token_error, token_source;
  auto token = load_admin_token(cfg, token_error, token_source);
  if (token.empty()) {
    log_error(token_error);
    return 1;
  }
  log_info("admin token from " + token_source);

  caf_config caf_cfg;
  add_remote_message_types(caf_cfg);
  caf_cfg.enable_remote(cfg);
  caf_cfg.enable_cluster(cfg);
  caf_cfg.apply(cfg.caf_args); // checked by the parser
  {
    log_entry threads{log_level::info, "threads"};
    threads.field("http", static_cast<std::uint64_t>(http.threads))
      .field("scheduler", static_cast<std::uint64_t>(caf::get_or(
                            caf_cfg, "scheduler.max-threads", caf::defaults::scheduler::max_threads)))
      .field("usable_cpus", static_cast<std::uint64_t>(cpus.usable()))
      .field("affinity_cpus", static_cast<std::uint64_t>(cpus.affinity));
    if (cpus.quota)
      threads.field("cpu_quota", *cpus.quota, 2);
    else
      threads.field("cpu_quota", "none");
    threads.write();
  }
  caf::actor_system sys{caf_cfg};
  auto ctx = std::make_shared<http_context>(sys);
  ctx->admin_token_hash = sha256(token);
  ctx->max_json_bytes = cfg.max_json_bytes;
  ctx->max_body_bytes = cfg.max_body_bytes;
  ctx->budget = std::make_shared<body_budget>(cfg.max_body_memory);
  ctx->access_log = cfg.access_log == "on";
  spawn_bridges(*ctx, http.threads);
  std::unique_ptr<http_server> server;
  try {
    server = start_http(ctx, http);
  } catch (const std::exception& ex) {
    log_error("cannot serve HTTP on " + cfg.listen + ": " + ex.what());
    for (auto& b : ctx->bridges)
      caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
    return 1;
  }
  log_info("listening on " + cfg.listen + " (starting)");
  std::unique_ptr<http_server> metrics_server;
  if (!cfg.metrics_listen.empty()) {
    try {
      metrics_server = start_http(ctx, metrics_http);
    } catch (const std::exception& ex) {
      log_error("cannot serve metrics on " + cfg.metrics_listen + ": " + ex.what());
      server->stop();
      for (auto& b : ctx->bridges)
        caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
      return 1;
    }
    log_info("serving metrics on " + cfg.metrics_listen);
  }

  // The state: this node's data dir, or the cluster's PostgreSQL.
  std::optional<service> svc;
  cluster_node node;
  std::size_t analyses_loaded = 0;
  auto fail_start = [&](const std::string& why) {
    log_error(why);
    server->stop();
    if (metrics_server)
      metrics_server->stop();
    for (auto& b : ctx->bridges)
      caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
    return 1;
  };
  auto recovery_start = std::chrono::steady_clock::now();
  if (clustered) {
    if (auto err = start_cluster_node(sys, cfg, std::chrono::seconds(30), node); !err.empty())
      return fail_start(err);
    ctx->registry = node.router;
    ctx->files = node.files;
    ctx->views = node.views;
    ctx->cluster = node.view;
    metrics().cluster.store(true);
    log_info("cluster node " + node.opts.node_name + " (incarnation " + node.opts.incarnation
             + ", " + std::to_string(node.opts.shards) + " shards) publishing "
             + node_interface_v2 + " on " + cfg.cluster_listen);
  } else {
    service_options sopts;
    sopts.data_dir = cfg.data_dir;
    sopts.journal_rotate_bytes = cfg.journal_rotate_bytes;
    sopts.actor_idle = std::chrono::milliseconds(cfg.actor_idle_ms);
    sopts.repair = cfg.repair;
    sopts.lock = lock;
    sopts.read_only = ctx->read_only;
    auto started = start_service(sys, sopts);
    if (!started)
      return fail_start("cannot recover the state in " + cfg.data_dir + ": "
                        + context_of(started.error()));
    svc = std::move(*started);
    analyses_loaded = svc->analyses_loaded;
    ctx->registry = svc->registry;
    ctx->journal = svc->journal;
    ctx->files = svc->files;
    ctx->views = svc->views;
  }
  metrics().recovery_ns.store(static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now()
                                                         - recovery_start)
      .count()));
  auto stop_state = [&] {
    if (svc)
      return stop_service(sys, *svc);
    stop_cluster_node(sys, node);
    return caf::error{};
  };
  remote_registry_v1 facade;
  if (!cfg.remote_listen.empty()) {
    facade = spawn_remote_facade(sys, ctx->registry, ctx->admin_token_hash);
    if (auto err = publish_remote(cfg, facade); !err.empty()) {
      log_error("cannot publish the remote interface on " + cfg.remote_listen + ": " + err);
      caf::anon_send_exit(facade, caf::exit_reason::user_shutdown);
      server->stop();
      if (metrics_server)
        metrics_server->stop();
      stop_state();
      for (auto& b : ctx->bridges)
        caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
      return 1;
    }
    log_info(std::string{"remote interface "} + remote_interface_v1 + " on " + cfg.remote_listen
             + (cfg.remote_tls_certificate.empty() ? "" : " (TLS)"));
  }
  ctx->ready.store(true, std::memory_order_release);
  auto ready = clustered ? "serving on " + cfg.listen + " as cluster node " + node.opts.node_name
                             + " with files in " + cfg.data_dir
                           : "serving " + std::to_string(analyses_loaded) + " analyses on "
                               + cfg.listen + " with data in " + cfg.data_dir;
  log_info("ready: " + ready);
  sd_notifyf(0, "READY=1\nSTATUS=%s\nMAINPID=%lu", ready.c_str(),
             static_cast<unsigned long>(::getpid()));
  auto alive = std::make_unique<watchdog>(sys, ctx->registry);

  int sig = 0;
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    if (cfg.log_file.empty()) {
      log_info("received SIGHUP: no log file to reopen (logging to stderr)");
    } else if (auto err = open_log_file(cfg.log_file); !err.empty()) {
      log_error("received SIGHUP: " + err);
    } else {
      log_info("received SIGHUP: reopened the log file " + cfg.log_file);
    }
  }
  log_info(std::string{"received "} + (sig == SIGTERM ? "SIGTERM" : "SIGINT")
           + ": finishing requests in flight");
  sd_notify(0, "STOPPING=1\nSTATUS=draining");
  ctx->draining.store(true);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(cfg.drain_timeout);
  while (ctx->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (auto left = ctx->in_flight.load(); left > 0)
    log_warning("drain-timeout: closing " + std::to_string(left) + " requests still in flight");
  alive.reset();
  server->stop();
  server.reset();
  if (metrics_server)
    metrics_server->stop();
  abort_open_uploads(*ctx);
  if (facade)
    caf::anon_send_exit(facade, caf::exit_reason::user_shutdown);
  auto err = stop_state();
  for (auto& b : ctx->bridges)
    caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  ctx->bridges.clear();
  // Requests still unanswered hold the context (their callbacks do): drop them.
  ctx->calls.close();
  ctx->registry = nullptr;
  ctx->journal = nullptr;
  log_info("stopped");
  shutdown_logging();
  return err ? 1 : 0;
}
