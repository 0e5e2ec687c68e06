#pragma once

#include "http/handlers.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace analysisd {

struct http_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9950;
  std::size_t threads = 2;
  std::size_t max_connections = 512;
  std::chrono::seconds read_timeout{60};    ///< A head, a pause in a body, or idle until the next request.
  std::chrono::seconds write_timeout{120};  ///< Whole response.
  std::chrono::seconds handle_timeout{600}; ///< Request received until its answer starts.
  /// After an answer sent before its request's body was read: how long the
  /// rest of the body is read and dropped before the connection closes.
  std::chrono::seconds lingering_close{5};
  /// Serve only GET /metrics, without credentials (--metrics-listen).
  bool metrics_only = false;
};

/// A running HTTP server. Destroying it stops it (and leaves RESTinio's
/// server object to the process's end: see server.cpp).
class http_server {
public:
  virtual ~http_server() = default;
  /// Stops accepting and closes connections; returns once every server
  /// thread has ended. Call only after draining the requests in flight.
  virtual void stop() = 0;
};

/// Starts serving `ctx` on its own asio threads. Throws std::exception if the
/// address cannot be bound.
std::unique_ptr<http_server> start_http(std::shared_ptr<http_context> ctx,
                                        const http_options& opts);

} // namespace analysisd
