#include "http/server.hpp"

#include "persistence/log.hpp"

#include <restinio/all.hpp>

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

struct server_traits : public restinio::default_traits_t {
  using request_handler_t = routed;
  using logger_t = restinio_logger;
  using extra_data_factory_t = request_record_factory;
  static constexpr bool use_connection_count_limiter = true;
};

class restinio_server : public http_server {
public:
  explicit restinio_server(restinio::running_server_handle_t<server_traits> handle)
    : handle_(std::move(handle)) {
  }

  ~restinio_server() override {
    stop();
    // The running server is deliberately not destroyed: RESTinio 0.6 frees
    // its connection-count limiter before the io_context abandons the
    // pending reads of kept-alive connections, whose destructors then use it
    // (a heap-use-after-free that ASan shows at every shutdown with open
    // clients). A server is stopped once, when the process ends.
    (void) handle_.release();
  }

  void stop() override {
    if (stopped_)
      return;
    handle_->stop();
    handle_->wait();
    stopped_ = true;
  }

private:
  restinio::running_server_handle_t<server_traits> handle_;
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
  auto settings = restinio::server_settings_t<server_traits>{}
                    .address(opts.host)
                    .port(opts.port)
                    .request_handler(routed{router})
                    .extra_data_factory(std::move(records))
                    .lingering_close_timelimit(opts.lingering_close)
                    .incoming_http_msg_limits(limits)
                    .max_parallel_connections(opts.max_connections)
                    .buffer_size(ctx->read_buffer_bytes)
                    .read_next_http_message_timelimit(opts.read_timeout)
                    .write_http_response_timelimit(opts.write_timeout)
                    .handle_request_timeout(opts.handle_timeout)
                    .concurrent_accepts_count(opts.threads)
                    .separate_accept_and_create_connect(true);
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
  auto handle = restinio::run_async<server_traits>(restinio::own_io_context(),
                                                   std::move(settings), opts.threads);
  return std::make_unique<restinio_server>(std::move(handle));
}

} // namespace analysisd
