#pragma once

// The upload parser the server had before bodies streamed: the whole body,
// parsed with RESTinio's multipart helper. Kept as the reference that the
// streaming multipart_reader is checked against (tests/http and the fuzzer).
// Include it in one file per program: RESTinio's helper defines a
// non-inline function.

#include "actors/protocol.hpp"
#include "http/request_parsing.hpp"

#include <restinio/all.hpp>
#include <restinio/helpers/http_field_parsers/content-disposition.hpp>
#include <restinio/helpers/multipart_body.hpp>

#include <memory>

namespace analysisd::fuzz {

// Finds the part named `file`; false if the body is not multipart/form-data,
// is malformed, has a part without a form-data Content-Disposition, or has no
// `file` part.
inline bool find_file_part(const restinio::request_handle_t& req, restinio::string_view_t& bytes) {
  namespace mp = restinio::multipart_body;
  namespace hfp = restinio::http_field_parsers;
  bool found = false;
  bool bad = false;
  auto result = mp::enumerate_parts(
    *req,
    [&](mp::parsed_part_t part) {
      auto disposition = part.fields.opt_value_of(restinio::http_field::content_disposition);
      if (!disposition) {
        bad = true;
        return mp::handling_result_t::terminate_enumeration;
      }
      auto parsed = hfp::content_disposition_value_t::try_parse(*disposition);
      if (!parsed || parsed->value != "form-data") {
        bad = true;
        return mp::handling_result_t::terminate_enumeration;
      }
      auto name = hfp::find_first(parsed->parameters, "name");
      if (!name) {
        bad = true;
        return mp::handling_result_t::terminate_enumeration;
      }
      if (!found && *name == "file") {
        found = true;
        bytes = part.body;
      }
      return mp::handling_result_t::continue_enumeration;
    },
    "multipart", "form-data");
  return result && !bad && found;
}

/// The query, and the `file` part of a whole multipart/form-data body
/// (pointing into the request's buffer, which the payload keeps alive).
inline upload_request parse_upload_whole(const restinio::request_handle_t& req) {
  auto out = parse_upload_query(req->header().query());
  restinio::string_view_t bytes;
  out.multipart_ok = find_file_part(req, bytes);
  if (out.multipart_ok)
    out.bytes = file_payload(std::shared_ptr<const void>(req), bytes.data(), bytes.size());
  return out;
}

} // namespace analysisd::fuzz
