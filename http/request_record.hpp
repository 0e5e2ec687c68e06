#pragma once

// What analysisd keeps about each HTTP request from its head to its
// response, as RESTinio's per-request extra data: its id (X-Request-Id), its
// route pattern, its job, its byte counts. The response writes the request's
// access-log line and counts it in the metrics, once.

#include "metrics/metrics.hpp"

#include <restinio/request_handler.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace analysisd {

struct request_record {
  request_record() = default;
  request_record(const request_record&) = delete;
  request_record& operator=(const request_record&) = delete;
  /// A request that began and got no response (the client went away, a
  /// timeout closed its connection) is logged and counted here, status 0.
  ~request_record();

  const std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  // Set on the connection's thread (begin_request, the routing, the
  // credentials), before any other thread sees the request.
  bool began = false;
  /// RESTinio handed the request to the router whole (no head handler ran
  /// for it): a handler may complete its response during the handler call.
  bool whole = false;
  bool access_log = true;
  std::string request_id;
  /// From a job's Basic credentials (never the key); logged only once they
  /// were accepted.
  std::string job_id;
  http_route route = http_route::unmatched;
  http_method_label method = http_method_label::other;
  const char* method_text = "";
  /// Body bytes that went to a body sink (streamed bodies).
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<bool> finished{false};
};

/// RESTinio's extra-data factory for request_record.
struct request_record_factory {
  using data_t = request_record;
  bool access_log = true;
  void make_within(restinio::extra_data_buffer_t<data_t> buffer) {
    auto* r = new (buffer.get()) data_t{};
    r->access_log = access_log;
  }
};

using request_t = restinio::generic_request_t<request_record>;
using request_ptr = restinio::generic_request_handle_t<request_record>;

/// The longest X-Request-Id taken from a request.
constexpr std::size_t max_request_id = 128;

/// Whether a client's X-Request-Id is used as given: 1 to max_request_id
/// characters of A-Z a-z 0-9 - _ . : (anything else could forge or break a
/// log line); otherwise the server makes one.
bool acceptable_request_id(std::string_view id);

/// A new request id: 32 random hex digits.
std::string make_request_id();

/// Takes the request's id, method and in-flight count; call on the
/// connection's thread before anything answers it. Idempotent.
void begin_request(const request_ptr& req);

/// Logs the request's access-log line and counts it (once: a second final
/// answer is not counted). `bytes_out`: the response body's size. Any thread.
void finish_request(const request_ptr& req, unsigned status, std::uint64_t bytes_out);

/// Notes the job a request authenticated as (its id only, at most 128
/// bytes). Call on the connection's thread.
void note_job(const request_ptr& req, const std::string& job_id);

} // namespace analysisd
