// The request-head patch of RESTinio (third_party/restinio/patches/0001-*)
// under arbitrary bytes on a real socket. One in-process server (started
// once) whose head handler decides by the first letter of the target:
//   /s stream, answered in on_body_complete   /a stream, answered later
//   /p stream, paused after every piece        /w stream, start_reading=false
//   /f stream, a final 413 after the first piece, from another thread
//   /r refuse, answered in the head handler    /R refuse, answered later
//   anything else: buffer.
// The input is `<n> <n piece lengths> <bytes>`: the bytes go out on a fresh
// connection in pieces of those lengths, in turn (0: one byte after a 1 ms
// gap, at most 3 gaps an input, so that the server has handled what came
// before), then the client half-closes, reads until the server closes, and
// closes.
// Invariants: a sink gets nothing after on_body_complete/on_body_aborted, at
// most one of them and once, one call at a time, never more bytes than the
// Content-Length, exactly that many when complete; every sink ends (complete
// or aborted) once its connection is gone; the request handler never sees a
// request that was streamed or refused; and after each input a GET on a new
// connection is still answered.

#include "fuzz_check.hpp"

#include <restinio/all.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>

namespace {

using namespace std::chrono_literals;
using restinio::request_head_decision_t;
using traits = restinio::default_traits_t;

// Work done on another thread, as a service's actors would: resumes and
// late answers. One thread, first in first out.
class worker {
public:
  worker() : thread_([this] { run(); }) {
  }

  void post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

private:
  [[noreturn]] void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock{mutex_};
        cv_.wait(lock, [&] { return !tasks_.empty(); });
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::thread thread_;
};

// The sinks that have not ended yet, and the requests the request handler
// must never get.
struct bookkeeping {
  std::mutex mutex;
  std::condition_variable cv;
  int open_sinks = 0;
  std::set<std::pair<restinio::connection_id_t, restinio::request_id_t>> not_for_the_handler;
};

bookkeeping& books() {
  static auto* b = new bookkeeping;
  return *b;
}

worker& background() {
  static auto* w = new worker;
  return *w;
}

void answer(const restinio::request_handle_t& req, restinio::http_status_line_t status,
            std::string body) {
  req->create_response(status).set_body(std::move(body)).done();
}

enum class mode { stream, answer_later, pause, wait_for_resume, cut };

class checking_sink : public restinio::body_sink_t {
public:
  checking_sink(mode m, restinio::request_handle_t req, restinio::body_reading_control_t control)
    : mode_(m), req_(std::move(req)), control_(std::move(control)) {
    auto cl = req_->header().opt_value_of("Content-Length");
    if (cl && !req_->header().has_field(restinio::http_field::transfer_encoding))
      length_ = std::stoull(std::string(cl->data(), cl->size()));
    std::lock_guard<std::mutex> guard{books().mutex};
    ++books().open_sinks;
  }

  ~checking_sink() override {
    FUZZ_CHECK(ended_); // a registered sink always hears how its body ended
  }

  bool on_body_data(restinio::string_view_t data) override {
    FUZZ_CHECK(!in_call_.exchange(true));
    FUZZ_CHECK(!ended_);
    FUZZ_CHECK(!data.empty());
    received_ += data.size();
    FUZZ_CHECK(!length_ || received_ <= *length_);
    bool more = true;
    if (mode_ == mode::pause) {
      more = false;
      auto control = control_;
      background().post([control] { control.resume(); });
    } else if (mode_ == mode::cut && received_ == data.size()) {
      // The whole body may be here already: whichever answer comes first
      // is the one (a request is answered once).
      auto req = req_;
      auto answered = answered_;
      background().post([req, answered] {
        if (!answered->exchange(true))
          answer(req, restinio::status_payload_too_large(), "cut");
      });
    }
    in_call_ = false;
    return more;
  }

  void on_body_complete() override {
    FUZZ_CHECK(!in_call_.exchange(true));
    FUZZ_CHECK(!ended_);
    FUZZ_CHECK(!length_ || received_ == *length_);
    end();
    auto body = "streamed " + std::to_string(received_);
    if (mode_ == mode::answer_later) {
      auto req = req_;
      background().post([req, body] { answer(req, restinio::status_ok(), body); });
    } else if (!answered_->exchange(true)) {
      answer(req_, restinio::status_ok(), body);
    }
    in_call_ = false;
  }

  void on_body_aborted() noexcept override {
    FUZZ_CHECK(!in_call_); // these sinks never answer inside a call
    FUZZ_CHECK(!ended_);
    end();
  }

private:
  void end() {
    ended_ = true;
    {
      std::lock_guard<std::mutex> guard{books().mutex};
      --books().open_sinks;
    }
    books().cv.notify_all();
  }

  const mode mode_;
  const restinio::request_handle_t req_;
  const restinio::body_reading_control_t control_;
  std::optional<std::uint64_t> length_;
  std::uint64_t received_ = 0;
  bool ended_ = false;
  std::atomic<bool> in_call_{false};
  const std::shared_ptr<std::atomic<bool>> answered_ = std::make_shared<std::atomic<bool>>(false);
};

request_head_decision_t decide(const restinio::request_handle_t& req,
                               restinio::body_reading_control_t control) {
  FUZZ_CHECK(req->body().empty());
  auto target = req->header().request_target();
  char letter = target.size() > 1 ? target[1] : '\0';
  auto not_for_the_handler = [&] {
    std::lock_guard<std::mutex> guard{books().mutex};
    books().not_for_the_handler.emplace(req->connection_id(), req->request_id());
  };
  auto stream = [&](mode m, bool start) {
    not_for_the_handler();
    if (!start)
      background().post([control] { control.resume(); });
    return request_head_decision_t::stream(std::make_shared<checking_sink>(m, req, control),
                                           start);
  };
  switch (letter) {
    case 's':
      return stream(mode::stream, true);
    case 'a':
      return stream(mode::answer_later, true);
    case 'p':
      return stream(mode::pause, true);
    case 'w':
      return stream(mode::wait_for_resume, false);
    case 'f':
      return stream(mode::cut, true);
    case 'r':
      not_for_the_handler();
      answer(req, restinio::status_forbidden(), "refused");
      return request_head_decision_t::refuse();
    case 'R':
      not_for_the_handler();
      background().post([req] { answer(req, restinio::status_forbidden(), "refused"); });
      return request_head_decision_t::refuse();
    default:
      return request_head_decision_t::buffer();
  }
}

restinio::request_handling_status_t handle(const restinio::request_handle_t& req) {
  {
    std::lock_guard<std::mutex> guard{books().mutex};
    FUZZ_CHECK(books().not_for_the_handler.count({req->connection_id(), req->request_id()}) == 0);
  }
  answer(req, restinio::status_ok(), "handled " + std::to_string(req->body().size()));
  return restinio::request_accepted();
}

// The server, started at the first input and never stopped (its io_context
// would have to outlive every request handle the worker may still hold).
std::uint16_t server_port() {
  static std::uint16_t port = [] {
    std::uint16_t bound = 0;
    auto settings = restinio::server_settings_t<traits>{}
                      .address("127.0.0.1")
                      .port(0)
                      .acceptor_post_bind_hook([&bound](restinio::asio_ns::ip::tcp::acceptor& a) {
                        bound = a.local_endpoint().port();
                      })
                      .request_handler(handle)
                      .request_head_handler(decide)
                      .max_pipelined_requests(4)
                      .buffer_size(256)
                      .incoming_http_msg_limits(
                        restinio::incoming_http_msg_limits_t{}.max_body_size(1024))
                      .lingering_close_timelimit(200ms)
                      .read_next_http_message_timelimit(2s)
                      .write_http_response_timelimit(2s)
                      .handle_request_timeout(2s)
                      .timer_manager(std::chrono::milliseconds(50));
    auto handle = restinio::run_async<traits>(restinio::own_io_context(), std::move(settings), 2);
    (void) handle.release();
    return bound;
  }();
  return port;
}

int connect_to_server() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  FUZZ_CHECK(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  FUZZ_CHECK(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  return fd;
}

// Reads until the server closes or `limit` passes; what was read.
std::string read_until_closed(int fd, std::chrono::milliseconds limit) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return got;
    char buf[16384];
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0)
      return got;
    got.append(buf, static_cast<std::size_t>(n));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::size_t pieces = size == 0 ? 0 : std::min<std::size_t>(data[0] % 8, size - 1);
  const std::uint8_t* lengths = data + 1;
  std::size_t off = size == 0 ? 0 : 1 + pieces;

  int fd = connect_to_server();
  int gaps = 0;
  for (std::size_t i = 0; off < size; ++i) {
    std::size_t n = size - off;
    if (pieces != 0) {
      auto v = lengths[i % pieces];
      if (v == 0 && gaps < 3) {
        ++gaps;
        std::this_thread::sleep_for(1ms);
      }
      n = std::min<std::size_t>(v == 0 ? 1 : v, n);
    }
    auto sent = ::send(fd, data + off, n, MSG_NOSIGNAL);
    if (sent <= 0)
      break; // the server closed (a parse error), or is not reading (refused)
    off += static_cast<std::size_t>(sent);
    std::this_thread::yield();
  }
  ::shutdown(fd, SHUT_WR);
  read_until_closed(fd, 3000ms);
  ::close(fd);

  // Every body that was streamed ends, now that its connection is gone.
  {
    std::unique_lock<std::mutex> lock{books().mutex};
    bool ended = books().cv.wait_for(lock, 10s, [] { return books().open_sinks == 0; });
    FUZZ_CHECK(ended);
    books().not_for_the_handler.clear();
  }

  // The server survives.
  int probe = connect_to_server();
  const std::string get = "GET /alive HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n";
  FUZZ_CHECK(::send(probe, get.data(), get.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(get.size()));
  auto reply = read_until_closed(probe, 5000ms);
  ::close(probe);
  FUZZ_CHECK(reply.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  return 0;
}
