#pragma once

#include <caf/error.hpp>

#include <string>

namespace analysisd {

/// The HTTP form of an error: status, `id`, `message` and, for 422, the
/// `errors` object as JSON text.
struct http_error {
  unsigned status = 500;
  std::string id;
  std::string message;
  std::string errors; ///< Empty unless status is 422.
  /// Seconds for a Retry-After header (0: none). Set on a 503 that a retry
  /// may get past: starting, draining, an owner node out of reach.
  unsigned retry_after = 0;
};

/// The Retry-After of a 503 that is worth retrying soon.
constexpr unsigned retry_after_seconds = 1;

/// The one place that maps errors to HTTP. Errors that are not analysisd's
/// (a dead actor, a CAF failure) are 500.
http_error to_http(const caf::error& err);

/// `{"id": ..., "message": ..., "errors": ...}` as compact JSON.
std::string render_error(const http_error& e);

/// The HTTP reason phrase of `status` ("Not Found").
std::string reason_phrase(unsigned status);

/// The snake-case reason phrase used as error id for `status`.
std::string reason_id(unsigned status);

} // namespace analysisd
