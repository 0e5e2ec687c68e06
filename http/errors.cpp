#include "http/errors.hpp"

#include "actors/protocol.hpp"

#include <caf/sec.hpp>
#include <nlohmann/json.hpp>

namespace analysisd {

std::string reason_phrase(unsigned status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
    default: return "Unknown";
  }
}

std::string reason_id(unsigned status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 422: return "invalid_input";
    case 500: return "internal_server_error";
    case 503: return "service_unavailable";
    case 507: return "insufficient_storage";
    default: return "error";
  }
}

namespace {

http_error make(unsigned status, std::string message, std::string errors = {}) {
  return {status, reason_id(status), std::move(message), std::move(errors)};
}

http_error invalid_query(std::string errors) {
  return {422, "invalid_query", "Invalid query", std::move(errors)};
}

} // namespace

http_error to_http(const caf::error& err) {
  // An actor that died before it could answer: the registry (shutting down),
  // or an analysis actor that a read was delegated to (the registry answers
  // for the writes it sends them itself). The request may be retried.
  auto retry_later = [] {
    auto e = make(503, "Service unavailable");
    e.retry_after = retry_after_seconds;
    return e;
  };
  if (err == caf::sec::request_receiver_down)
    return retry_later();
  switch (static_cast<errc>(code_of(err))) {
    case errc::unauthorized: return make(401, "Invalid authorization header");
    case errc::not_found: return make(404, "Not found");
    case errc::forbidden: return make(403, "Insufficient rights");
    case errc::name_required: return invalid_query(R"({"name":["required field"]})");
    case errc::unsupported_format: return make(400, "Unsupported analysis file format");
    case errc::name_not_plain: return invalid_query(R"({"name":["must be a plain file name"]})");
    case errc::file_exists: return make(409, "File is already associated with analysis");
    case errc::invalid_multipart: return make(400, "Invalid multipart body");
    case errc::too_large: return make(413, "Payload too large");
    case errc::already_finalized: return make(409, "There is already a result for this analysis");
    case errc::analysis_finalized: return make(409, "Analysis is finalized");
    case errc::analysis_exists: return make(409, "Analysis already exists");
    case errc::job_already_acquired: return make(400, "Job already acquired");
    case errc::file_missing: return make(404, "Uploaded file not found at expected location");
    case errc::invalid_input: {
      auto errors = context_of(err);
      return {422, "invalid_input", "Invalid input", errors.empty() ? "{}" : errors};
    }
    case errc::invalid_query: {
      auto errors = context_of(err);
      return invalid_query(errors.empty() ? "{}" : errors);
    }
    case errc::storage_full: return make(507, "Insufficient storage");
    case errc::io_error: return make(500, "Internal server error");
    case errc::read_only:
      return make(503, "Storage failed; the service accepts no more changes");
    case errc::unavailable: return retry_later();
    case errc::backup_running: return make(409, "A backup is already running");
    case errc::backup_not_empty: return make(409, "Backup destination is not empty");
    case errc::backup_failed: return make(500, "Backup failed: " + context_of(err));
  }
  return make(500, "Internal server error");
}

std::string render_error(const http_error& e) {
  nlohmann::json body = {{"id", e.id}, {"message", e.message}};
  if (!e.errors.empty())
    body["errors"] = nlohmann::json::parse(e.errors, nullptr, false);
  return body.dump();
}

} // namespace analysisd
