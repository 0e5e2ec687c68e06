#pragma once

// A minimal blocking HTTP/1.1 client over POSIX sockets for the tests: it
// can send well-formed requests and raw garbage alike, to 127.0.0.1 only.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace analysisd::test {

struct http_response {
  int status = 0;                               ///< 0: no response (connection closed).
  std::map<std::string, std::string> headers;   ///< Names in lower case.
  std::string body;

  nlohmann::json json() const {
    return nlohmann::json::parse(body);
  }

  std::string header(const std::string& lower_name) const {
    auto i = headers.find(lower_name);
    return i == headers.end() ? std::string{} : i->second;
  }
};

/// One request's parts; `headers` are sent as given (plus Host and Content-Length).
struct http_request {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// A keep-alive connection to 127.0.0.1:port. Not thread-safe: one per thread.
class http_client {
public:
  explicit http_client(std::uint16_t port);
  /// A client of several servers (a cluster's nodes): send() sends each
  /// request to one of `ports` picked at random, reconnecting when it is not
  /// the one connected; send_raw() and read_response() stay on the current
  /// connection (made to a random one of them if there is none). With one
  /// port it is the one-port client. Throws std::invalid_argument if empty.
  explicit http_client(std::vector<std::uint16_t> ports);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Sends a request and reads its response (reconnecting if the server closed
  /// the connection before). Timeout 60 s unless set_timeout() says otherwise;
  /// a response not complete by then is status 0. Throws std::runtime_error
  /// if it cannot connect.
  http_response send(const http_request& req);

  /// How long a response may take from the moment reading it starts.
  void set_timeout(std::chrono::milliseconds timeout) {
    timeout_ = timeout;
  }

  /// The port of the current (or last) connection.
  std::uint16_t port() const {
    return port_;
  }

  /// Writes raw bytes on the connection and reads one response (status 0 if
  /// the server closed the connection without one).
  http_response send_raw(const std::string& bytes);

  /// Reads one more response from the connection (for pipelining).
  http_response read_response();

  // Convenience forms.
  http_response get(const std::string& target, const std::string& auth = {});
  http_response del(const std::string& target, const std::string& auth = {});
  http_response patch(const std::string& target, const std::string& body,
                      const std::string& auth = {});
  http_response post(const std::string& target, const std::string& body,
                     const std::string& auth = {},
                     const std::string& content_type = "application/json");

private:
  void connect();
  void close();
  bool write_all(const std::string& bytes);

  void pick_port();

  std::vector<std::uint16_t> ports_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_{std::chrono::seconds(60)};
  int fd_ = -1;
  std::string buffer_;
};

/// Standard base64 with padding.
std::string base64(const std::string& plain);

/// `Basic base64("job-<job_id>:<key>")`.
std::string basic_auth(const std::string& job_id, const std::string& key);

/// `Bearer <token>`.
std::string bearer(const std::string& token);

/// A multipart/form-data body with one part named `field` holding `bytes`;
/// `content_type` receives the header value with its boundary.
std::string multipart_body(const std::string& bytes, std::string& content_type,
                           const std::string& field = "file",
                           const std::string& filename = "upload.bin");

/// A plain TCP connection to 127.0.0.1:port (a socket the caller closes);
/// -1 if it cannot be made.
int connect_loopback(std::uint16_t port);

/// Writes all of `bytes` to `fd`; false if the connection broke.
bool send_all(int fd, const std::string& bytes);

/// A free TCP port on 127.0.0.1 (bound once and released), none of the last
/// 1024 this process was given.
std::uint16_t free_port();

} // namespace analysisd::test
