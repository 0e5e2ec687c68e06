#pragma once

// RESTinio servers run one per thread, each by that thread alone on an
// io_context of its own, all accepting from one listening socket: a
// connection stays on the thread that accepted it, needs no strand, and
// asio's scheduler works as for one thread. analysisd serves HTTP this way
// (server.cpp), and so does bench/'s floor.

#include <restinio/all.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace analysisd {

/// A socket listening on `host`:`port` (a host as RESTinio reads one), for
/// accepting_from. Throws what a server binding it would throw.
inline asio::ip::tcp::acceptor listen_on(asio::io_context& io, const std::string& host,
                                         std::uint16_t port) {
  auto address = asio::ip::make_address(host == "localhost"       ? std::string{"127.0.0.1"}
                                        : host == "ip6-localhost" ? std::string{"::1"}
                                                                  : host);
  asio::ip::tcp::endpoint ep{address, port};
  asio::ip::tcp::acceptor listener{io};
  listener.open(ep.protocol());
  listener.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  listener.bind(ep);
  listener.listen(asio::socket_base::max_listen_connections);
  return listener;
}

/// Settings for a server that accepts from `listener`, which must outlive
/// the server's start. RESTinio binds a socket of its own (to a port of the
/// system's choosing: it cannot be told not to), then listens on a copy of
/// `listener` instead.
template <class Traits>
restinio::server_settings_t<Traits> accepting_from(asio::ip::tcp::acceptor& listener) {
  auto settings = restinio::server_settings_t<Traits>{};
  settings.address(listener.local_endpoint().address())
    .port(0)
    .concurrent_accepts_count(1)
    .acceptor_post_bind_hook([&listener](asio::ip::tcp::acceptor& own) {
      own.close();
      int fd = ::fcntl(listener.native_handle(), F_DUPFD_CLOEXEC, 0);
      if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "dup");
      asio::error_code ec;
      own.assign(listener.local_endpoint().protocol(), fd, ec);
      if (ec) {
        ::close(fd);
        throw std::system_error(ec, "assign");
      }
    });
  return settings;
}

/// Starts `settings` on a thread and an io_context of its own.
template <class Traits>
restinio::running_server_handle_t<Traits> run_on_own_thread(
  restinio::server_settings_t<Traits>&& settings) {
  // A concurrency hint of 1: one thread, which asio lets queue the work it
  // completes itself without taking the scheduler's lock.
  return restinio::run_async<Traits>(
    restinio::io_context_holder_t{std::make_shared<asio::io_context>(1)}, std::move(settings), 1);
}

} // namespace analysisd
