#pragma once

#include "http/request_record.hpp"

#include <string_view>

namespace analysisd {

/// The OpenAPI description of the HTTP interface: the bytes of the source
/// tree's openapi.yaml, embedded at build time (cmake/embed_file.cmake).
/// Static storage; any thread may call it.
std::string_view openapi_document();

/// Answers GET /openapi.yaml: 200 with the document (`application/yaml`)
/// and its ETag, or 304 when `If-None-Match` names that ETag. Public, and
/// answered before recovery and while draining too, as /livez is. Called by
/// the router on an asio thread.
void reply_openapi(const request_ptr& req);

} // namespace analysisd
