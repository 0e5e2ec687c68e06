#include "http/openapi.hpp"

#include "actors/read_views.hpp"
#include "http/replies.hpp"
#include "http/request_parsing.hpp"

#include <string>

namespace analysisd {

void reply_openapi(const request_ptr& req) {
  using namespace http_detail;
  static const std::string etag = document_etag(openapi_document());
  // RFC 9512's type: what YAML tools and browsers recognise, where the
  // OpenAPI Initiative's own application/vnd.oai.openapi is seldom known.
  // Static bytes: no copy into the response.
  const auto doc = openapi_document();
  reply_document(req, etag, "application/yaml", restinio::const_buffer(doc.data(), doc.size()),
                 doc.size());
}

} // namespace analysisd
