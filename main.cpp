// analysisd: wires the configuration, the actors and the HTTP server together.

#include "actors/service.hpp"
#include "http/config.hpp"
#include "http/server.hpp"
#include "metrics/metrics.hpp"
#include "persistence/data_dir.hpp"
#include "persistence/log.hpp"
#include "persistence/storage.hpp"

#include <caf/all.hpp>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
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

} // namespace

int main(int argc, char** argv) {
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
  add_message_types(cfg);
  if (auto err = cfg.parse(cfg.normalize_args(argc, argv))) {
    std::cerr << "analysisd: " << to_string(err) << "\n(try --help)\n";
    return 2;
  }
  if (cfg.cli_helptext_printed)
    return 0;
  if (cfg.version) {
    std::cout << "analysisd " << ANALYSISD_VERSION << "\ncommit " << ANALYSISD_COMMIT
              << "\nbuild " << ANALYSISD_BUILD << "\n";
    return 0;
  }
  http_options http;
  if (!split_listen(cfg.listen, http.host, http.port)) {
    std::cerr << "analysisd: --listen takes HOST:PORT, not '" << cfg.listen << "'\n";
    return 2;
  }
  http.threads = std::max<std::size_t>(cfg.threads, 1);
  http.max_connections = cfg.max_connections;
  if (cfg.read_timeout == 0 || cfg.write_timeout == 0 || cfg.handle_timeout == 0) {
    std::cerr << "analysisd: --read-timeout, --write-timeout and --handle-timeout take a "
                 "positive number of seconds\n";
    return 2;
  }
  if (cfg.max_json_bytes > max_json_bytes_limit) {
    std::cerr << "analysisd: --max-json-bytes is at most " << max_json_bytes_limit
              << " (a JSON body becomes one journal record), not " << cfg.max_json_bytes << "\n";
    return 2;
  }
  http.read_timeout = std::chrono::seconds(cfg.read_timeout);
  http.write_timeout = std::chrono::seconds(cfg.write_timeout);
  http.handle_timeout = std::chrono::seconds(cfg.handle_timeout);
  // -- logging (issue 12) --
  log_options log_opts;
  log_opts.level = cfg.log_level;
  log_opts.format = cfg.log_format;
  log_opts.file = cfg.log_file;
  if (auto err = check_log_options(log_opts); !err.empty()) {
    std::cerr << "analysisd: " << err << "\n";
    return 2;
  }
  if (cfg.access_log != "on" && cfg.access_log != "off") {
    std::cerr << "analysisd: --access-log takes on or off, not '" << cfg.access_log << "'\n";
    return 2;
  }
  http_options metrics_http;
  metrics_http.threads = 1;
  metrics_http.metrics_only = true;
  if (!cfg.metrics_listen.empty()
      && !split_listen(cfg.metrics_listen, metrics_http.host, metrics_http.port)) {
    std::cerr << "analysisd: --metrics-listen takes HOST:PORT, not '" << cfg.metrics_listen
              << "'\n";
    return 2;
  }
  if (std::string err; !init_logging(log_opts, err)) {
    std::cerr << "analysisd: " << err << "\n";
    return 2;
  }
  log_entry{log_level::info, "starting"}
    .field("version", ANALYSISD_VERSION)
    .field("commit", ANALYSISD_COMMIT)
    .field("pid", static_cast<std::uint64_t>(::getpid()))
    .field("data_dir", cfg.data_dir)
    .field("listen", cfg.listen)
    .field("threads", static_cast<std::uint64_t>(http.threads))
    .field("max_connections", static_cast<std::uint64_t>(cfg.max_connections))
    .field("max_body_bytes", static_cast<std::uint64_t>(cfg.max_body_bytes))
    .field("max_json_bytes", static_cast<std::uint64_t>(cfg.max_json_bytes))
    .field("max_body_memory", static_cast<std::uint64_t>(cfg.max_body_memory))
    .field("read_timeout_s", static_cast<std::uint64_t>(cfg.read_timeout))
    .field("write_timeout_s", static_cast<std::uint64_t>(cfg.write_timeout))
    .field("handle_timeout_s", static_cast<std::uint64_t>(cfg.handle_timeout))
    .field("journal_rotate_bytes", static_cast<std::uint64_t>(cfg.journal_rotate_bytes))
    .field("actor_idle_ms", static_cast<std::uint64_t>(cfg.actor_idle_ms))
    .field("log_level", cfg.log_level)
    .field("access_log", cfg.access_log)
    .write();
  if (auto ec = posix_storage().create_dir(cfg.data_dir)) {
    log_error("cannot create " + cfg.data_dir + ": " + ec.message());
    return 1;
  }
  // Before anything in the data dir is read: one server per data dir.
  std::string lock_error;
  std::shared_ptr<const data_dir_lock> lock = data_dir_lock::acquire(cfg.data_dir, lock_error);
  if (!lock) {
    log_error(lock_error);
    return 1;
  }
  std::string token_error, token_source;
  auto token = load_admin_token(cfg.data_dir, cfg.admin_token_file, token_error, token_source);
  if (token.empty()) {
    log_error(token_error);
    return 1;
  }
  log_info("admin token from " + token_source);

  caf::actor_system sys{cfg};
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

  service_options sopts;
  sopts.data_dir = cfg.data_dir;
  sopts.journal_rotate_bytes = cfg.journal_rotate_bytes;
  sopts.actor_idle = std::chrono::milliseconds(cfg.actor_idle_ms);
  sopts.repair = cfg.repair;
  sopts.lock = lock;
  sopts.read_only = ctx->read_only;
  auto recovery_start = std::chrono::steady_clock::now();
  auto svc = start_service(sys, sopts);
  metrics().recovery_ns.store(static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now()
                                                         - recovery_start)
      .count()));
  if (!svc) {
    log_error("cannot recover the state in " + cfg.data_dir + ": " + context_of(svc.error()));
    server->stop();
    for (auto& b : ctx->bridges)
      caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
    return 1;
  }
  ctx->registry = svc->registry;
  ctx->files = svc->files;
  ctx->ready.store(true, std::memory_order_release);
  log_info("ready: serving " + std::to_string(svc->analyses_loaded) + " analyses on "
           + cfg.listen + " with data in " + cfg.data_dir);

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
  ctx->draining.store(true);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (ctx->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server->stop();
  server.reset();
  if (metrics_server)
    metrics_server->stop();
  auto err = stop_service(sys, *svc);
  for (auto& b : ctx->bridges)
    caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  ctx->bridges.clear();
  ctx->registry = nullptr;
  log_info("stopped");
  shutdown_logging();
  return err ? 1 : 0;
}
