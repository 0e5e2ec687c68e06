#include "http/server.hpp"

#include <restinio/all.hpp>

namespace analysisd {

namespace {

struct server_traits : public restinio::default_traits_t {
  using request_handler_t = router_t;
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
  auto router = make_router(ctx);
  // The router lives in RESTinio's connection settings as long as the server.
  const router_t& routes = *router;
  auto settings = restinio::server_settings_t<server_traits>{}
                    .address(opts.host)
                    .port(opts.port)
                    .request_handler(std::move(router))
                    .request_head_handler(
                      [ctx, &routes](const restinio::request_handle_t& req,
                                     restinio::body_reading_control_t control) {
                        return decide_head(ctx, routes, req, std::move(control));
                      })
                    .lingering_close_timelimit(opts.lingering_close)
                    .incoming_http_msg_limits(limits)
                    .max_parallel_connections(opts.max_connections)
                    .buffer_size(ctx->read_buffer_bytes)
                    .read_next_http_message_timelimit(opts.read_timeout)
                    .write_http_response_timelimit(opts.write_timeout)
                    .handle_request_timeout(opts.handle_timeout)
                    .concurrent_accepts_count(opts.threads)
                    .separate_accept_and_create_connect(true);
  auto handle = restinio::run_async<server_traits>(restinio::own_io_context(),
                                                   std::move(settings), opts.threads);
  return std::make_unique<restinio_server>(std::move(handle));
}

} // namespace analysisd
