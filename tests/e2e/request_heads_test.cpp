// Request heads first (SPEC.md), against the real binary: refusals before
// the body, Expect: 100-continue, 413 from the head and from a chunked body,
// uploads that stream with bounded memory, cut uploads that leave nothing.

#include "tests/support/e2e.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

namespace analysisd::test {
namespace {

// A raw connection for what http_client cannot do: send a head alone, a body
// in pieces while reading, stop midway.
class raw_conn {
public:
  explicit raw_conn(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  }
  ~raw_conn() {
    ::close(fd_);
  }

  bool send(const std::string& bytes) {
    std::size_t at = 0;
    while (at < bytes.size()) {
      auto n = ::send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      at += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads until `until` is in what was read, or the peer closes, or timeout.
  std::string read_until(const std::string& until) {
    while (got_.find(until) == std::string::npos) {
      char buf[65536];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      got_.append(buf, static_cast<std::size_t>(n));
    }
    return got_;
  }

  // One whole response (status line, headers, Content-Length body).
  std::string read_response() {
    read_until("\r\n\r\n");
    auto end = got_.find("\r\n\r\n");
    if (end == std::string::npos)
      return std::exchange(got_, {});
    std::size_t length = 0;
    auto head = got_.substr(0, end);
    for (auto& c : head)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto cl = head.find("content-length: "); cl != std::string::npos)
      length = std::stoul(head.substr(cl + 16));
    while (got_.size() < end + 4 + length) {
      char buf[65536];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      got_.append(buf, static_cast<std::size_t>(n));
    }
    auto response = got_.substr(0, std::min(got_.size(), end + 4 + length));
    got_.erase(0, response.size());
    return response;
  }

  // True once the peer has closed (EOF or reset) within the receive timeout.
  bool closed_by_peer() {
    char buf[65536];
    for (;;) {
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        return true;
      if (n < 0)
        return false;
    }
  }

  int fd() const {
    return fd_;
  }

private:
  int fd_ = -1;
  std::string got_;
};

// Under ASan the server's RSS says little about what it holds (freed memory
// waits in ASan's quarantine, hundreds of MiB), so the memory bounds are
// checked only against a normal server; bench/ measures them on the release.
const bool rss_bounds_hold = !server_sanitized();

int status_of(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0)
    return 0;
  return std::stoi(response.substr(9, 3));
}

const std::string boundary = "heads-first-boundary";

std::string part_head() {
  return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n"
         + "Content-Type: application/octet-stream\r\n\r\n";
}

std::string part_tail() {
  return "\r\n--" + boundary + "--\r\n";
}

// The head of an upload of `size` file bytes (Content-Length counted).
std::string upload_head(const std::string& target, const std::string& auth, std::uint64_t size,
                        bool expect_continue = false) {
  auto length = part_head().size() + size + part_tail().size();
  return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + auth
         + "\r\nContent-Type: multipart/form-data; boundary=" + boundary
         + "\r\nContent-Length: " + std::to_string(length) + "\r\n"
         + (expect_continue ? "Expect: 100-continue\r\n" : "") + "\r\n";
}

std::string chunk(const std::string& bytes) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  return size + bytes + "\r\n";
}

std::uint64_t rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoull(line.substr(6));
  return 0;
}

// Samples the server's RSS while `f` runs; returns the peak growth in MiB.
template <class F>
double peak_rss_growth_mib(pid_t pid, F f) {
  auto before = rss_kib(pid);
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> peak{before};
  std::thread sampler([&] {
    while (!done.load()) {
      auto now = rss_kib(pid);
      if (now > peak.load())
        peak.store(now);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  f();
  done.store(true);
  sampler.join();
  return (static_cast<double>(peak.load()) - static_cast<double>(before)) / 1024.0;
}

// Names of the files in an analysis's directory (temporary ones included).
std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(dir, ec))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class request_heads : public shared_server_suite<> {};

TEST_F(request_heads, refused_unauthenticated_bodies_are_answered_before_they_are_read) {
  auto a = create_job_analysis(*server_, *client_);
  constexpr std::uint64_t declared = 512ull << 20;
  std::atomic<std::uint64_t> worst_sent{0};
  auto growth = peak_rss_growth_mib(server_->pid(), [&] {
    std::vector<std::thread> clients;
    for (int k = 0; k < 3; ++k)
      clients.emplace_back([&, k] {
        raw_conn c(server_->port());
        ASSERT_TRUE(c.send(upload_head("/api/analyses/" + a.id + "/files?name=x" + std::to_string(k),
                                       basic_auth("nojob123", std::string(64, 'a')), declared)));
        std::atomic<bool> answered{false};
        std::atomic<std::uint64_t> sent{0};
        std::thread sender([&] {
          std::string piece(64 << 10, 'z');
          while (!answered.load() && sent.load() < declared)
            if (c.send(piece))
              sent += piece.size();
            else
              break;
        });
        auto response = c.read_response();
        answered.store(true);
        sender.join();
        EXPECT_EQ(status_of(response), 401) << response;
        EXPECT_NE(response.find("Invalid authorization header"), std::string::npos);
        EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
        auto s = sent.load();
        for (auto w = worst_sent.load(); s > w && !worst_sent.compare_exchange_weak(w, s);) {
        }
      });
    for (auto& t : clients)
      t.join();
  });
  // Answered before the body was read: a server that read it first would
  // answer only after all 512 MiB. What a client sends before it notices the
  // answer is the socket buffers plus what the lingering close drains in the
  // meantime, at loopback speed: a few MiB, more when the client's thread is
  // descheduled on a loaded machine (19 MiB once in CI), so the bound is a
  // quarter of the body.
  EXPECT_LT(worst_sent.load(), declared / 4);
  if (rss_bounds_hold) {
    EXPECT_LT(growth, 32.0);
  }
  EXPECT_EQ(client_->get("/api/analyses/" + a.id, a.auth).status, 200);
}

TEST_F(request_heads, concurrent_large_uploads_stream_with_bounded_memory) {
  constexpr std::uint64_t size = 96ull << 20;
  std::vector<job_analysis> jobs;
  for (int k = 0; k < 4; ++k)
    jobs.push_back(create_job_analysis(*server_, *client_));
  auto growth = peak_rss_growth_mib(server_->pid(), [&] {
    std::vector<std::thread> clients;
    for (auto& a : jobs)
      clients.emplace_back([&] {
        raw_conn c(server_->port());
        ASSERT_TRUE(c.send(upload_head("/api/analyses/" + a.id + "/files?name=big.bin", a.auth, size)
                           + part_head()));
        std::string piece(1 << 20, 'q');
        for (std::uint64_t sent = 0; sent < size; sent += piece.size())
          ASSERT_TRUE(c.send(piece));
        ASSERT_TRUE(c.send(part_tail()));
        auto response = c.read_response();
        EXPECT_EQ(status_of(response), 201) << response;
      });
    for (auto& t : clients)
      t.join();
  });
  if (rss_bounds_hold) {
    EXPECT_LT(growth, 64.0) << "four " << (size >> 20) << " MiB uploads";
  }
  for (auto& a : jobs) {
    std::error_code ec;
    EXPECT_EQ(std::filesystem::file_size(analysis_dir(a.id) + "/1-big.bin", ec), size);
  }
}

TEST_F(request_heads, expect_continue_is_answered_only_when_the_checks_pass) {
  auto a = create_job_analysis(*server_, *client_);
  auto target = "/api/analyses/" + a.id + "/files?name=one.fa&format=fasta";
  {
    raw_conn c(server_->port());
    ASSERT_TRUE(c.send(upload_head(target, a.auth, 5, true)));
    auto interim = c.read_until("\r\n\r\n");
    ASSERT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << interim;
    c.read_response(); // the 100
    ASSERT_TRUE(c.send(part_head() + "hello" + part_tail()));
    auto response = c.read_response();
    EXPECT_EQ(status_of(response), 201) << response;
  }
  // Refused at the head: the final status, and no 100.
  for (auto [auth, status] : {std::pair{basic_auth(a.job_id, std::string(64, '0')), 401},
                              std::pair{a.auth, 409}}) {
    raw_conn c(server_->port());
    ASSERT_TRUE(c.send(upload_head(target, auth, 5, true)));
    auto response = c.read_response();
    EXPECT_EQ(status_of(response), status) << response;
    EXPECT_EQ(response.find("100 Continue"), std::string::npos);
    EXPECT_TRUE(c.closed_by_peer());
  }
  EXPECT_EQ(files_in(analysis_dir(a.id)), std::vector<std::string>{"1-one.fa"});
}

TEST_F(request_heads, an_upload_over_the_limit_is_refused_by_length_after_the_earlier_checks) {
  auto a = create_job_analysis(*server_, *client_);
  auto target = "/api/analyses/" + a.id + "/files?name=big";
  raw_conn c(server_->port());
  ASSERT_TRUE(c.send(upload_head(target, a.auth, 8ull << 30)));
  auto response = c.read_response();
  EXPECT_EQ(status_of(response), 413) << response;
  EXPECT_NE(response.find("\"id\":\"payload_too_large\""), std::string::npos);
  // The earlier checks still come first.
  raw_conn d(server_->port());
  ASSERT_TRUE(d.send(upload_head("/api/analyses/" + a.id + "/files?format=exe", a.auth, 8ull << 30)));
  EXPECT_EQ(status_of(d.read_response()), 422);
  // Nothing was reserved.
  EXPECT_EQ(upload(*client_, target, a.auth, "small").status, 201);
}

TEST_F(request_heads, json_bodies_over_the_limit_are_refused_after_authentication) {
  auto a = create_job_analysis(*server_, *client_);
  auto patch = [&](const std::string& auth) {
    raw_conn c(server_->port());
    c.send("PATCH /api/analyses/" + a.id + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth
           + "\r\nContent-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n");
    return status_of(c.read_response());
  };
  EXPECT_EQ(patch(basic_auth(a.job_id, std::string(64, '0'))), 401);
  EXPECT_EQ(patch(a.auth), 413);
  raw_conn c(server_->port());
  c.send("POST /admin/analyses HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n");
  EXPECT_EQ(status_of(c.read_response()), 401);
}

TEST_F(request_heads, a_finalize_is_decided_in_spec_order_whether_its_body_comes_with_its_head) {
  auto a = create_job_analysis(*server_, *client_);
  auto b = create_job_analysis(*server_, *client_);
  // With the head: head and body in one write, so the body is in the read
  // that completes the head. Else the body follows once the head was read
  // alone. Either way the job is authorized at the head, before the body is
  // read (SPEC.md, "Request heads first"), and the answers keep their order.
  auto patch = [&](const std::string& id, const std::string& auth, const std::string& body,
                   bool with_head) {
    raw_conn c(server_->port());
    auto head = "PATCH /api/analyses/" + id + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + std::to_string(body.size()) + "\r\n\r\n";
    if (with_head) {
      c.send(head + body);
    } else {
      c.send(head);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      c.send(body); // refused at the head: the connection may be closing
    }
    return status_of(c.read_response());
  };
  const std::string invalid = "{\"results\":", valid = R"({"results":{"hits":1}})";
  for (bool with_head : {true, false}) {
    SCOPED_TRACE(with_head ? "body with the head" : "body after the head");
    EXPECT_EQ(patch(a.id, basic_auth(a.job_id, std::string(64, '0')), invalid, with_head), 401);
    EXPECT_EQ(patch("zzzzzzzz", a.auth, invalid, with_head), 404);
    EXPECT_EQ(patch(a.id, b.auth, invalid, with_head), 403);
    EXPECT_EQ(patch(a.id, a.auth, invalid, with_head), 422);
  }
  EXPECT_EQ(patch(a.id, a.auth, valid, true), 200);
  EXPECT_EQ(patch(b.id, b.auth, valid, false), 200);
  EXPECT_EQ(patch(a.id, a.auth, valid, false), 409);
  EXPECT_EQ(patch(b.id, b.auth, valid, true), 409);
  EXPECT_EQ(client_->get("/api/analyses/" + a.id, a.auth).json().at("results").at("hits"), 1);
}

// A finalize head decided from the published job credentials (the job's
// own key) and one the registry decides (a wrong key) answer
// Expect: 100-continue as an upload's head does: 100 only once authorized.
TEST_F(request_heads, a_finalize_head_answers_expect_continue_only_once_authorized) {
  auto a = create_job_analysis(*server_, *client_);
  const std::string body = R"({"results":{"hits":1}})";
  auto head = [&](const std::string& auth) {
    return "PATCH /api/analyses/" + a.id + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth
           + "\r\nContent-Type: application/json\r\nContent-Length: "
           + std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n";
  };
  {
    raw_conn c(server_->port());
    ASSERT_TRUE(c.send(head(basic_auth(a.job_id, std::string(64, '0')))));
    auto response = c.read_response();
    EXPECT_EQ(status_of(response), 401) << response;
    EXPECT_EQ(response.find("100 Continue"), std::string::npos);
  }
  raw_conn c(server_->port());
  ASSERT_TRUE(c.send(head(a.auth)));
  auto interim = c.read_until("\r\n\r\n");
  ASSERT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << interim;
  c.read_response(); // the 100
  ASSERT_TRUE(c.send(body));
  auto response = c.read_response();
  EXPECT_EQ(status_of(response), 200) << response;
}

TEST_F(request_heads, a_cut_upload_leaves_nothing_and_frees_its_name) {
  auto a = create_job_analysis(*server_, *client_);
  auto target = "/api/analyses/" + a.id + "/files?name=cut.bin";
  {
    raw_conn c(server_->port());
    // The 100 Continue says the upload is reserved (file id 1).
    ASSERT_TRUE(c.send(upload_head(target, a.auth, 8 << 20, true)));
    ASSERT_EQ(c.read_until("\r\n\r\n").rfind("HTTP/1.1 100 Continue", 0), 0u);
    ASSERT_TRUE(c.send(part_head() + std::string(3 << 20, 'c')));
  } // closed midway
  // The name is free again once the server has seen the connection go.
  http_response retry;
  for (int k = 0; k < 200; ++k) {
    retry = upload(*client_, target, a.auth, "whole");
    if (retry.status != 409)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.json()["id"], 2) << "the cut upload had file id 1";
  EXPECT_EQ(files_in(analysis_dir(a.id)), std::vector<std::string>{"2-cut.bin"});
  EXPECT_EQ(read_file(analysis_dir(a.id) + "/2-cut.bin"), "whole");
}

TEST_F(request_heads, a_chunked_upload_streams_and_pipelined_requests_follow_it) {
  auto a = create_job_analysis(*server_, *client_);
  std::string content;
  for (int k = 0; k < 5000; ++k)
    content += "line " + std::to_string(k) + "\n";
  std::string body = part_head() + content + part_tail();
  std::string chunked;
  for (std::size_t at = 0; at < body.size(); at += 777)
    chunked += chunk(body.substr(at, 777));
  chunked += "0\r\n\r\n";
  auto get = "GET /api/analyses/" + a.id + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + a.auth
             + "\r\n\r\n";
  raw_conn c(server_->port());
  ASSERT_TRUE(c.send("POST /analyses/" + a.id + "/files?name=c.txt HTTP/1.1\r\nHost: x\r\n"
                     + "Authorization: " + a.auth + "\r\nContent-Type: multipart/form-data; boundary="
                     + boundary + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked + get + get));
  auto first = c.read_response();
  EXPECT_EQ(status_of(first), 201) << first;
  for (int k = 0; k < 2; ++k) {
    auto next = c.read_response();
    EXPECT_EQ(status_of(next), 200) << next;
    EXPECT_NE(next.find("\"name\":\"c.txt\""), std::string::npos);
  }
  EXPECT_EQ(read_file(analysis_dir(a.id) + "/1-c.txt"), content);
}

TEST_F(request_heads, a_broken_multipart_body_frees_the_name) {
  auto a = create_job_analysis(*server_, *client_);
  auto target = "/api/analyses/" + a.id + "/files?name=m.bin";
  auto res = send_with(*client_, "POST", target, a.auth, "--nope\r\nnot multipart",
                       "multipart/form-data; boundary=" + boundary);
  expect_error(res, 400, "bad_request", "Invalid multipart body");
  res = send_with(*client_, "POST", target, a.auth, "x", "text/plain");
  expect_error(res, 400, "bad_request", "Invalid multipart body");
  EXPECT_EQ(upload(*client_, target, a.auth, "ok").status, 201);
  EXPECT_EQ(files_in(analysis_dir(a.id)), std::vector<std::string>{"3-m.bin"});
}

class request_heads_small_limit : public ::testing::Test {};

TEST_F(request_heads_small_limit, a_chunked_body_is_refused_once_it_crosses_the_limit) {
  temp_dir dir;
  server_process server(dir.path() + "/data", {"--max-body-bytes", "1048576"});
  http_client client(server.ports());
  auto a = create_job_analysis(server, client);
  raw_conn c(server.port());
  ASSERT_TRUE(c.send("POST /api/analyses/" + a.id + "/files?name=x HTTP/1.1\r\nHost: x\r\n"
                     + "Authorization: " + a.auth + "\r\nContent-Type: multipart/form-data; boundary="
                     + boundary + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(part_head())));
  std::atomic<bool> answered{false};
  std::thread sender([&] {
    std::string piece = chunk(std::string(64 << 10, 'y'));
    for (int k = 0; k < 64 && !answered.load(); ++k)
      if (!c.send(piece))
        break;
  });
  auto response = c.read_response();
  answered.store(true);
  sender.join();
  EXPECT_EQ(status_of(response), 413) << response;
  EXPECT_TRUE(c.closed_by_peer());
  http_response retry;
  for (int k = 0; k < 200; ++k) {
    retry = upload(client, "/api/analyses/" + a.id + "/files?name=x", a.auth, "fits");
    if (retry.status != 409)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(retry.status, 201);
  EXPECT_EQ(files_in(server.data_dir() + "/analyses/" + a.id), std::vector<std::string>{"2-x"});
}

} // namespace
} // namespace analysisd::test
