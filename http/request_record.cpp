#include "http/request_record.hpp"

#include "persistence/log.hpp"

#include <restinio/all.hpp>

#include <random>

namespace analysisd {

namespace {

http_method_label label_of(const restinio::http_method_id_t& m) {
  using namespace restinio;
  if (m == http_method_get())
    return http_method_label::get;
  if (m == http_method_head())
    return http_method_label::head;
  if (m == http_method_post())
    return http_method_label::post;
  if (m == http_method_put())
    return http_method_label::put;
  if (m == http_method_patch())
    return http_method_label::patch;
  if (m == http_method_delete())
    return http_method_label::del;
  if (m == http_method_options())
    return http_method_label::options;
  return http_method_label::other;
}

void finish(request_record& r, unsigned status, std::uint64_t bytes_in,
            std::uint64_t bytes_out) noexcept {
  if (!r.began || r.finished.exchange(true))
    return;
  auto took = std::chrono::steady_clock::now() - r.start;
  auto& m = metrics();
  m.http_in_flight.fetch_sub(1, std::memory_order_relaxed);
  m.request_done(r.route, r.method, status, took);
  if (!r.access_log)
    return;
  // The job id is whatever the client put before the colon until the key
  // checked out (a key pasted there must not reach the log). Every job route
  // authenticates before any other check, so an answer other than a 401, a
  // 5xx or none means it did.
  const bool authenticated = status != 0 && status != 401 && status < 500;
  const std::string_view job =
    authenticated && !r.job_id.empty() ? std::string_view{r.job_id} : std::string_view{"-"};
  try {
    log_entry{log_level::info, "request"}
      .field("method", r.method_text)
      .field("route", route_pattern(r.route))
      .field("status", static_cast<std::uint64_t>(status))
      .field("bytes_in", bytes_in)
      .field("bytes_out", bytes_out)
      .field("duration_ms", std::chrono::duration<double, std::milli>(took).count(), 3)
      .field("request_id", r.request_id)
      .field("job_id", job)
      .write();
  } catch (...) {
    // Out of memory for a log line: the request goes unlogged.
  }
}

} // namespace

request_record::~request_record() {
  finish(*this, 0, bytes_in.load(), 0);
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > max_request_id)
    return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok)
      return false;
  }
  return true;
}

std::string make_request_id() {
  // One generator per thread: no lock between requests.
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64{seq};
  }()};
  static const char hex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    auto x = rng();
    for (int i = 0; i < 16; ++i, x >>= 4)
      id[static_cast<std::size_t>(half * 16 + i)] = hex[x & 0xf];
  }
  return id;
}

void begin_request(const request_ptr& req) {
  auto& r = req->extra_data();
  if (r.began)
    return;
  r.began = true;
  const auto& method = req->header().method();
  r.method = label_of(method);
  r.method_text = method.c_str();
  auto given = req->header().opt_value_of("X-Request-Id");
  if (given && acceptable_request_id({given->data(), given->size()}))
    r.request_id.assign(given->data(), given->size());
  else
    r.request_id = make_request_id();
  metrics().http_in_flight.fetch_add(1, std::memory_order_relaxed);
}

void note_job(const request_ptr& req, const std::string& job_id) {
  req->extra_data().job_id = job_id.substr(0, 128);
}

void finish_request(const request_ptr& req, unsigned status, std::uint64_t bytes_out) {
  auto& r = req->extra_data();
  finish(r, status, r.bytes_in.load() + req->body().size(), bytes_out);
}

} // namespace analysisd
