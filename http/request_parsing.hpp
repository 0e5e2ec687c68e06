#pragma once

/// Turning request bodies and queries into protocol messages. Every function
/// here is total: bad input becomes an error value, never an exception.

#include "actors/protocol.hpp"

#include <nlohmann/json.hpp>
#include <restinio/all.hpp>

#include <string>
#include <string_view>

namespace analysisd {

/// Parses 1 to `max_digits` decimal digits (nothing else) into `out`.
bool parse_decimal(restinio::string_view_t text, std::size_t max_digits, std::uint64_t& out);

/// Parses a JSON body, at most max_json_depth deep and valid UTF-8; false if
/// it is not JSON.
bool parse_json_body(const std::string& body, nlohmann::json& out);

/// The `results` of a finalize body as compact JSON text, or an empty string
/// when the body is not JSON (as parse_json_body judges it: valid UTF-8, at
/// most max_json_depth deep), is not an object, or its `results` is missing or
/// not an object. Of several top-level `results` the last counts, as in a DOM.
///
/// One streaming pass, no DOM: besides the returned text it holds O(depth),
/// and nlohmann's lexer holds the bytes read since the last string or number
/// began (for its error messages), so a long stretch without one, such as
/// `[{},{},...]`, costs up to twice its length. The text is the client's,
/// compacted: keys in the client's order (a duplicate key inside `results` is
/// kept where it was given; a reader that takes the last one sees what a DOM
/// kept), numbers as written (a float, or an integer too large for 64 bits,
/// keeps its text; other integers are written from their value, so `-0`
/// becomes `0`), strings re-escaped as nlohmann's dump() does.
/// Never throws; any thread.
std::string extract_results(std::string_view body);

/// A create body; invalid_input with one entry per bad field.
caf::error parse_create(const std::string& body, create_request& out);

/// `{"acquired": true}`; invalid_input otherwise.
caf::error parse_acquire(const std::string& body);

/// The body of POST /admin/backup: `{"path": "/absolute/dir"}`; invalid_input
/// (`path`: required field, or must be an absolute path) otherwise.
caf::error parse_backup(const std::string& body, std::string& path);

/// `page` and `per_page` (1..100) from a raw query string; invalid_query
/// with one entry per bad parameter.
caf::error parse_list_query(restinio::string_view_t query, list_request& out);

/// Whether an `If-None-Match` header value (several header lines joined
/// with commas) names `etag` (a quoted tag as document_etag in
/// actors/read_views.hpp gives it) or is `*`. The comparison is weak (RFC
/// 9110 13.1.2): a `W/` prefix is ignored. A value that does not parse matches
/// nothing.
bool if_none_match(std::string_view header, std::string_view etag);

/// The query of an upload: `name` and `format` (its body streams through
/// multipart_reader; multipart_ok is left false, bytes empty).
upload_request parse_upload_query(restinio::string_view_t query);

} // namespace analysisd
