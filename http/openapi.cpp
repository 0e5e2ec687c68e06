#include "http/openapi.hpp"

#include "http/replies.hpp"
#include "http/request_parsing.hpp"

#include <string>

namespace analysisd {

void reply_openapi(const restinio::request_handle_t& req) {
  using namespace http_detail;
  static const std::string etag = document_etag(openapi_document());
  std::string condition; // RFC 9110 5.3: several lines are one list
  bool conditional = false;
  req->header().for_each_value_of(restinio::http_field::if_none_match, [&](auto value) {
    condition.append(conditional ? ", " : "").append(value.data(), value.size());
    conditional = true;
    return restinio::http_header_fields_t::continue_enumeration();
  });
  if (conditional && if_none_match(condition, etag)) {
    auto response = req->create_response(status_line(304));
    response.append_header(restinio::http_field::etag, etag);
    complete(std::move(response));
    return;
  }
  auto response = req->create_response(status_line(200));
  // RFC 9512's type: what YAML tools and browsers recognise, where the
  // OpenAPI Initiative's own application/vnd.oai.openapi is seldom known.
  response.append_header(restinio::http_field::content_type, "application/yaml");
  response.append_header(restinio::http_field::etag, etag);
  // Static bytes: no copy into the response.
  const auto doc = openapi_document();
  response.set_body(restinio::const_buffer(doc.data(), doc.size()));
  complete(std::move(response));
}

} // namespace analysisd
