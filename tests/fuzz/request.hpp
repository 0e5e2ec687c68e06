#pragma once

// A RESTinio request built in memory (no socket), for the parsers that take one.

#include <restinio/all.hpp>

#include <memory>
#include <string>

namespace analysisd::fuzz {

// The connection a request refers to; nothing is ever written to it.
class null_connection : public restinio::impl::connection_base_t {
public:
  null_connection() : connection_base_t(1) {
  }

  void write_response_parts(restinio::request_id_t, restinio::response_output_flags_t,
                            restinio::write_group_t) override {
  }

  void check_timeout(std::shared_ptr<restinio::tcp_connection_ctx_base_t>&) override {
  }
};

/// A POST of `body` to `target`, with a Content-Type unless it is empty.
inline restinio::request_handle_t make_request(std::string target, const std::string& content_type,
                                               std::string body) {
  restinio::http_request_header_t header(restinio::http_method_post(), std::move(target));
  if (!content_type.empty())
    header.set_field(restinio::http_field::content_type, content_type);
  static restinio::no_extra_data_factory_t factory;
  return std::make_shared<restinio::request_t>(0, std::move(header), std::move(body),
                                               std::make_shared<null_connection>(),
                                               restinio::endpoint_t{}, factory);
}

} // namespace analysisd::fuzz
