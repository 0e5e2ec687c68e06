// third_party/restinio/patches/0004-accept-again-after-a-failed-accept.patch
// on its own: a RESTinio server on 127.0.0.1 whose accept fails for want of
// a descriptor (the limit lowered in this process) accepts again once
// descriptors are free, and serves the connection that was waiting.

#include <restinio/all.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace acceptor_patch_test {

using namespace std::chrono_literals;

// Takes every descriptor left under a lowered soft limit, and gives them
// back (and the limit) when it goes, whatever the test did in between.
class descriptors_taken {
public:
  /// Lowers the soft limit to `keep` descriptors above `fd` and takes all
  /// that are then free.
  descriptors_taken(int fd, int keep) {
    ok_ = ::getrlimit(RLIMIT_NOFILE, &before_) == 0;
    rlimit low = before_;
    low.rlim_cur = static_cast<rlim_t>(fd + keep);
    ok_ = ok_ && low.rlim_cur <= before_.rlim_max && ::setrlimit(RLIMIT_NOFILE, &low) == 0;
    if (!ok_)
      return;
    for (;;) {
      int d = ::dup(fd);
      if (d < 0) {
        ok_ = errno == EMFILE;
        break;
      }
      taken_.push_back(d);
    }
  }
  ~descriptors_taken() {
    give_back();
  }
  descriptors_taken(const descriptors_taken&) = delete;
  descriptors_taken& operator=(const descriptors_taken&) = delete;

  /// True if the limit was lowered and every descriptor under it taken.
  bool ok() const {
    return ok_;
  }
  void give_back() {
    for (int d : taken_)
      ::close(d);
    taken_.clear();
    ::setrlimit(RLIMIT_NOFILE, &before_);
  }

private:
  rlimit before_{};
  std::vector<int> taken_;
  bool ok_ = false;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Sends a GET on `fd` and returns what comes back within `limit` (until the
// server closes the connection: the request asks it to).
std::string ask(int fd, std::chrono::milliseconds limit) {
  std::string request = "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL)
      != static_cast<ssize_t>(request.size()))
    return {};
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return got;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return got;
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0)
      return got;
    got.append(buf, static_cast<std::size_t>(n));
  }
}

TEST(acceptor, an_accept_that_failed_for_want_of_a_descriptor_is_tried_again) {
  std::atomic<std::uint16_t> port{0};
  auto settings =
    restinio::server_settings_t<restinio::default_traits_t>{}
      .address("127.0.0.1")
      .port(0)
      .acceptor_post_bind_hook(
        [&port](restinio::asio_ns::ip::tcp::acceptor& a) { port = a.local_endpoint().port(); })
      .request_handler([](restinio::request_handle_t req) {
        return req->create_response().set_body("hello").done();
      });
  auto server = restinio::run_async<restinio::default_traits_t>(restinio::own_io_context(),
                                                                 std::move(settings), 1);
  ASSERT_NE(port.load(), 0);

  // The client's socket first; then no descriptor is left for the server's
  // accept of its connection, which the kernel completes all the same.
  int waiting = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(waiting, 0);
  {
    descriptors_taken none_left{waiting, 8};
    ASSERT_TRUE(none_left.ok()) << "cannot take every descriptor under a lowered limit";
    auto addr = loopback(port);
    ASSERT_EQ(::connect(waiting, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    // The server's accept fails meanwhile (EMFILE): unpatched, that socket
    // never accepted again.
    std::this_thread::sleep_for(300ms);
  }

  auto reply = ask(waiting, 5s);
  ::close(waiting);
  EXPECT_NE(reply.find("200 OK"), std::string::npos)
    << "the connection that waited for a descriptor was not served: " << reply;
  EXPECT_NE(reply.find("hello"), std::string::npos);

  // And it goes on accepting.
  int next = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(next, 0);
  auto addr = loopback(port);
  ASSERT_EQ(::connect(next, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  reply = ask(next, 5s);
  ::close(next);
  EXPECT_NE(reply.find("hello"), std::string::npos) << reply;

  server->stop();
  server->wait();
}

} // namespace acceptor_patch_test
