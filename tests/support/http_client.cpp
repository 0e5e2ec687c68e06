#include "tests/support/http_client.hpp"

#include "tests/support/virtool_models.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <mutex>
#include <random>
#include <stdexcept>
#include <utility>

namespace analysisd::test {

http_client::http_client(std::uint16_t port) : ports_{port}, port_(port) {
}

http_client::http_client(std::vector<std::uint16_t> ports) : ports_(std::move(ports)) {
  if (ports_.empty())
    throw std::invalid_argument("http_client: no port");
  port_ = ports_.front();
  pick_port();
}

void http_client::pick_port() {
  if (ports_.size() < 2)
    return;
  thread_local std::mt19937 rng{std::random_device{}()};
  auto next = ports_[std::uniform_int_distribution<std::size_t>(0, ports_.size() - 1)(rng)];
  if (next != port_) {
    close();
    port_ = next;
  }
}

http_client::~http_client() {
  close();
}

void http_client::connect() {
  close();
  fd_ = connect_loopback(port_);
  if (fd_ < 0)
    throw std::runtime_error("connect failed");
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  buffer_.clear();
}

void http_client::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool http_client::write_all(const std::string& bytes) {
  return send_all(fd_, bytes);
}

int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    auto n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

} // namespace

http_response http_client::read_response() {
  http_response res;
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  auto fill = [&]() -> bool {
    if (fd_ < 0)
      return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now())
                  .count();
    if (left <= 0)
      return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0)
      return false;
    char buf[65536];
    auto n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0)
      return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos)
    if (!fill()) {
      close();
      return res;
    }
  auto head = buffer_.substr(0, header_end);
  buffer_.erase(0, header_end + 4);
  auto line_end = head.find("\r\n");
  auto status_line = head.substr(0, line_end);
  auto sp = status_line.find(' ');
  res.status = std::stoi(status_line.substr(sp + 1, 3));
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    auto end = head.find("\r\n", pos);
    if (end == std::string::npos)
      end = head.size();
    auto line = head.substr(pos, end - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
      res.headers[lower(line.substr(0, colon))] = value;
    }
    pos = end + 2;
  }
  std::size_t length = 0;
  if (auto cl = res.headers.find("content-length"); cl != res.headers.end())
    length = std::stoull(cl->second);
  if (res.status == 204 || res.status == 304)
    length = 0; // RFC 9112 6.3: no content, whatever Content-Length says
  while (buffer_.size() < length)
    if (!fill())
      break;
  auto take = std::min(length, buffer_.size());
  res.body = buffer_.substr(0, take);
  buffer_.erase(0, take);
  if (lower(res.header("connection")) == "close")
    close();
  return res;
}

http_response http_client::send_raw(const std::string& bytes) {
  if (fd_ < 0)
    connect();
  if (!write_all(bytes)) {
    close();
    return {};
  }
  return read_response();
}

http_response http_client::send(const http_request& req) {
  std::string out = req.method + " " + req.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (auto& [k, v] : req.headers)
    out += k + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n\r\n";
  out += req.body;
  pick_port();
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = fd_ < 0;
    if (fresh)
      connect();
    if (write_all(out)) {
      auto res = read_response();
      if (res.status != 0 || fresh) {
        if (is_real_server(port_))
          check_response(req, res); // what the job runtime would refuse fails the test
        return res;
      }
    } else if (fresh) {
      close();
      return {};
    }
    close(); // a kept-alive connection the server had closed: once more, fresh
  }
  return {};
}

http_response http_client::get(const std::string& target, const std::string& auth) {
  http_request r{"GET", target, {}, {}};
  if (!auth.empty())
    r.headers.emplace_back("Authorization", auth);
  return send(r);
}

http_response http_client::del(const std::string& target, const std::string& auth) {
  http_request r{"DELETE", target, {}, {}};
  if (!auth.empty())
    r.headers.emplace_back("Authorization", auth);
  return send(r);
}

http_response http_client::patch(const std::string& target, const std::string& body,
                                 const std::string& auth) {
  http_request r{"PATCH", target, {{"Content-Type", "application/json"}}, body};
  if (!auth.empty())
    r.headers.emplace_back("Authorization", auth);
  return send(r);
}

http_response http_client::post(const std::string& target, const std::string& body,
                                const std::string& auth, const std::string& content_type) {
  http_request r{"POST", target, {{"Content-Type", content_type}}, body};
  if (!auth.empty())
    r.headers.emplace_back("Authorization", auth);
  return send(r);
}

std::string base64(const std::string& plain) {
  std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(plain.data()),
                           static_cast<int>(plain.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string basic_auth(const std::string& job_id, const std::string& key) {
  return "Basic " + base64("job-" + job_id + ":" + key);
}

std::string bearer(const std::string& token) {
  return "Bearer " + token;
}

std::string multipart_body(const std::string& bytes, std::string& content_type,
                           const std::string& field, const std::string& filename) {
  const std::string boundary = "----analysisdtestboundary7MA4YWxkTrZu0gW";
  content_type = "multipart/form-data; boundary=" + boundary;
  return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field
         + "\"; filename=\"" + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n"
         + bytes + "\r\n--" + boundary + "--\r\n";
}

std::uint16_t free_port() {
  // The kernel may give a port it gave a moment ago, which the first taker
  // has not bound yet: a cluster of three once had two nodes on one HTTP
  // port. So no port is handed out twice among the last 1024.
  static std::mutex mutex;
  static std::deque<std::uint16_t> given;
  std::lock_guard<std::mutex> guard{mutex};
  std::uint16_t port = 0;
  for (int attempt = 0; attempt < 64; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    port = ntohs(addr.sin_port);
    if (std::find(given.begin(), given.end(), port) == given.end())
      break;
  }
  given.push_back(port);
  if (given.size() > 1024)
    given.pop_front();
  return port;
}

} // namespace analysisd::test
