#include "http/server.hpp"

#include "http/connection_gate.hpp"
#include "http/thread_servers.hpp"
#include "metrics/metrics.hpp"
#include "persistence/log.hpp"

#include <restinio/all.hpp>

#include <vector>

namespace analysisd {

namespace {

// RESTinio's own log lines, in ours: its chatter (connections accepted and
// closed, every read and write) at trace and debug, its warnings and errors
// (a failed accept, a write error) as ours. Messages are built only when
// their level is on.
class restinio_logger {
public:
  template <class Builder>
  void trace(Builder&& msg) const {
    write(log_level::trace, msg);
  }
  template <class Builder>
  void info(Builder&& msg) const {
    write(log_level::debug, msg);
  }
  template <class Builder>
  void warn(Builder&& msg) const {
    write(log_level::warning, msg);
  }
  template <class Builder>
  void error(Builder&& msg) const {
    write(log_level::error, msg);
  }

private:
  // RESTinio calls some of these from noexcept code.
  template <class Builder>
  static void write(log_level level, Builder& msg) noexcept {
    try {
      if (log_enabled(level))
        log_entry{level, "restinio"}.field("detail", std::string_view{msg()}).write();
    } catch (...) {
      // A message that cannot be built (out of memory) is not logged.
    }
  }
};

// Every request RESTinio hands over whole (one without a body; those with a
// body go through the head handler) begins here, then goes to the router.
struct routed {
  std::shared_ptr<const router_t> router;
  restinio::request_handling_status_t operator()(request_ptr req) const {
    // A request whose head was decided has begun already, and its handler
    // runs inside the body's processing, not in the handler call.
    bool whole = !req->extra_data().began;
    begin_request(req);
    req->extra_data().whole = whole;
    return (*router)(std::move(req));
  }
};

// One server per HTTP thread (thread_servers.hpp): no strands, and
// connections counted in one connection_gate.
struct server_traits : public restinio::default_traits_t {
  using request_handler_t = routed;
  using logger_t = restinio_logger;
  using extra_data_factory_t = request_record_factory;
  using strand_t = single_thread_executor;
  static constexpr bool use_connection_count_limiter = true;
};

using server_handle = restinio::running_server_handle_t<server_traits>;

class restinio_server : public http_server {
public:
  void add(server_handle handle) {
    handles_.push_back(std::move(handle));
  }

  ~restinio_server() override {
    stop();
    // The running servers are deliberately not destroyed: RESTinio 0.6
    // frees its connection-count limiter before the io_context abandons the
    // pending reads of kept-alive connections, whose destructors then use it
    // (a heap-use-after-free that ASan shows at every shutdown with open
    // clients). A server is stopped once, when the process ends.
    for (auto& h : handles_)
      (void) h.release();
  }

  void stop() override {
    if (stopped_)
      return;
    for (auto& h : handles_)
      h->stop();
    for (auto& h : handles_)
      h->wait();
    stopped_ = true;
  }

private:
  std::vector<server_handle> handles_;
  bool stopped_ = false;
};

} // namespace

std::unique_ptr<http_server> start_http(std::shared_ptr<http_context> ctx,
                                        const http_options& opts) {
  // Every body is decided at its head (decide_head) and streamed; RESTinio
  // buffers none, so its own body limit only backs that up.
  auto limits = restinio::incoming_http_msg_limits_t{}
                  .max_url_size(8 * 1024)
                  .max_field_name_size(1024)
                  .max_field_value_size(16 * 1024)
                  .max_field_count(100)
                  .max_body_size(ctx->max_json_bytes);
  std::shared_ptr<const router_t> router =
    opts.metrics_only ? make_metrics_router(ctx) : make_router(ctx);
  auto records = std::make_shared<request_record_factory>();
  records->access_log = ctx->access_log;
  // One server per thread (thread_servers.hpp: strands and a shared
  // io_context were a third of a GET's CPU), with one limit on connections.
  const std::size_t threads = std::max<std::size_t>(opts.threads, 1);
  asio::io_context setup;
  auto listener = listen_on(setup, opts.host, opts.port);
  // The API address's connections are in the metrics; --metrics-listen's are not.
  std::atomic<std::uint64_t>* open = nullptr;
  if (!opts.metrics_only) {
    open = &metrics().http_connections;
    metrics().http_connections_limit.store(opts.max_connections);
  }
  gate_for_new_servers gate{
    std::make_shared<connection_gate>(opts.max_connections, threads, open)};
  // Destroyed, it stops those started, if a later one cannot start.
  auto server = std::make_unique<restinio_server>();
  for (std::size_t k = 0; k < threads; ++k) {
    auto settings = accepting_from<server_traits>(listener);
    settings.request_handler(routed{router})
      .extra_data_factory(records)
      .lingering_close_timelimit(opts.lingering_close)
      .incoming_http_msg_limits(limits)
      .max_parallel_connections(opts.max_connections) // counted by the gate
      .buffer_size(ctx->read_buffer_bytes)
      .read_next_http_message_timelimit(opts.read_timeout)
      .write_http_response_timelimit(opts.write_timeout)
      .handle_request_timeout(opts.handle_timeout);
    if (opts.metrics_only) {
      // Bodies are of no use there: RESTinio closes the connection of one
      // over a few bytes.
      settings.incoming_http_msg_limits(limits.max_body_size(1024));
    } else {
      settings.request_head_handler(
        [ctx, router](const request_ptr& req, restinio::body_reading_control_t control) {
          return decide_head(ctx, *router, req, std::move(control));
        });
    }
    server->add(run_on_own_thread(std::move(settings)));
  }
  return server;
}

} // namespace analysisd
