// End-to-end: how the process behaves under a supervisor. systemd's
// notifications (READY once serving, WATCHDOG while healthy, STOPPING at the
// drain) and the drain deadline at SIGTERM.

#include "tests/support/e2e.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

using namespace analysisd::test;

namespace {

// A datagram socket in the role of systemd's notification socket.
class notify_socket {
public:
  explicit notify_socket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    timeval tv{0, 200 * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~notify_socket() {
    ::close(fd_);
  }

  /// Messages received until `until` returns true for one of them or `limit` passed.
  template <class F>
  std::vector<std::string> receive(std::chrono::seconds limit, F until) {
    std::vector<std::string> got;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      auto n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0)
        continue;
      got.emplace_back(buf, static_cast<std::size_t>(n));
      if (until(got.back()))
        break;
    }
    return got;
  }

private:
  std::string path_;
  int fd_ = -1;
};

bool has(const std::string& message, const std::string& line) {
  return ("\n" + message + "\n").find("\n" + line + "\n") != std::string::npos;
}

} // namespace

TEST(e2e_process, systemd_hears_ready_watchdog_and_stopping) {
  temp_dir dir;
  notify_socket sock{dir.path() + "/notify"};
  // The child inherits these; a watchdog of 0.4 s means a ping every 0.2 s.
  ::setenv("NOTIFY_SOCKET", (dir.path() + "/notify").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "400000", 1);
  auto server = std::make_unique<server_process>(dir.path() + "/data");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");

  auto start = sock.receive(std::chrono::seconds(10),
                            [](const std::string& m) { return has(m, "READY=1"); });
  ASSERT_FALSE(start.empty());
  EXPECT_TRUE(has(start.back(), "READY=1")) << start.back();
  EXPECT_NE(start.back().find("STATUS=serving 0 analyses"), std::string::npos) << start.back();
  EXPECT_TRUE(has(start.back(), "MAINPID=" + std::to_string(server->pid()))) << start.back();

  int pings = 0;
  sock.receive(std::chrono::seconds(10), [&](const std::string& m) {
    pings += has(m, "WATCHDOG=1") ? 1 : 0;
    return pings == 3;
  });
  EXPECT_EQ(pings, 3) << "the watchdog is not fed";

  auto pid = server->pid();
  ::kill(pid, SIGTERM);
  auto stop = sock.receive(std::chrono::seconds(10),
                           [](const std::string& m) { return has(m, "STOPPING=1"); });
  ASSERT_FALSE(stop.empty());
  EXPECT_TRUE(has(stop.back(), "STOPPING=1")) << stop.back();
  EXPECT_EQ(server->stop(), 0);
}

TEST(e2e_process, without_a_notify_socket_nothing_changes) {
  temp_dir dir;
  ::unsetenv("NOTIFY_SOCKET");
  server_process server{dir.path() + "/data"};
  http_client c{server.port()};
  EXPECT_EQ(c.get("/readyz").status, 200);
  EXPECT_EQ(server.stop(), 0);
}

// A request that never completes holds the drain only for --drain-timeout.
TEST(e2e_process, the_drain_ends_at_its_deadline) {
  temp_dir dir;
  server_process server{dir.path() + "/data", {"--drain-timeout", "1"}};
  http_client c{server.port()};
  auto a = create_job_analysis(server, c);
  // An upload whose body stops after a few bytes: in flight until the read
  // timeout (60 s), far beyond the drain deadline.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::string boundary = "b0undary";
  std::string head = "POST /api/analyses/" + a.id + "/files?name=slow.fa&format=fasta HTTP/1.1\r\n"
                     "Host: 127.0.0.1\r\nAuthorization: " + a.auth + "\r\n"
                     "Content-Type: multipart/form-data; boundary=" + boundary + "\r\n"
                     "Content-Length: 1000000\r\n\r\n--" + boundary + "\r\n"
                     "Content-Disposition: form-data; name=\"file\"; filename=\"slow.fa\"\r\n\r\nACGT";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  // Time for the server to decide the head and begin the file.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server.stop(), 0);
  auto took = std::chrono::steady_clock::now() - started;
  ::close(fd);
  EXPECT_LT(took, std::chrono::seconds(20)) << "the drain waited past --drain-timeout 1";
  EXPECT_NE(server.log().find("drain-timeout: closing 1 requests still in flight"),
            std::string::npos)
    << server.log();
  // The unfinished upload left nothing behind, and the analysis is intact.
  server_process again{dir.path() + "/data"};
  http_client c2{again.port()};
  auto doc = c2.get("/api/analyses/" + a.id, a.auth);
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(nlohmann::json::parse(doc.body)["files"].size(), 0u) << doc.body;
}
