#pragma once

/// The decisions of the analysis and registry actors as pure functions, so
/// that they are tested without an actor system. Each returns a default
/// (empty) caf::error when the change may happen.

#include "actors/protocol.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace analysisd {

/// True if `s` is well-formed UTF-8.
bool is_valid_utf8(const std::string& s);

/// True if `name` is a plain file name: not empty, `.` or `..`, no `/`, `\`,
/// NUL or control character, at most 255 bytes, valid UTF-8.
bool is_plain_file_name(const std::string& name);

/// True for sam, bam, fasta, fastq, csv, tsv and json.
bool is_supported_format(const std::string& format);

/// The query checks of an upload in SPEC.md's order: name_required,
/// unsupported_format, name_not_plain.
caf::error check_upload_query(const upload_request& req);

/// Every check of an upload after authentication, in SPEC.md's order: the
/// query, then name_not_plain if `<file_id>-<name>` would not fit the file
/// system's 255-byte limit, then file_exists (among `files` or `reserved`, the names being
/// uploaded), then too_large (known from the head, so before the body's
/// own check), then invalid_multipart.
caf::error check_upload(const analysis_state& a, const std::set<std::string>& reserved,
                        const upload_request& req);

/// already_finalized if `a` is finalized.
caf::error check_finalize(const analysis_state& a);

/// invalid_input with `{"results": ["required field"]}` if `results` is empty:
/// the finalize body had no results object (the registry's finalize takes
/// the compact JSON text that extract_results gives, parsed and checked once,
/// where the body is read; "" for a body without one, so that the 422 comes
/// after authentication, in SPEC.md's order).
caf::error check_results(const std::string& results);

/// The record that finalizes `a` with `results` (as check_results takes
/// them) at `at`, once SPEC.md's checks pass in its order: an invalid body
/// (422, check_results) before a conflict (409, check_finalize).
caf::expected<journal_record> finalize_record(const analysis_state& a, const std::string& results,
                                              timestamp at);

/// analysis_finalized if a job (not `forced`) removes a finalized analysis.
caf::error check_remove(const analysis_state& a, bool forced);

/// The largest `page` and `per_page` of an operator's listing.
constexpr std::uint64_t max_list_page = 100000000;
constexpr std::uint64_t max_list_per_page = 100;

/// The entry of a listing's invalid_query errors for a `page` or `per_page`
/// outside 1..max.
std::string list_range_error(std::uint64_t max);

/// invalid_query with one entry per `page` or `per_page` out of range.
caf::error check_list(const list_request& req);

/// The operator's listing page (SPEC.md): `summaries` (documents without
/// results, newest first) of `total` analyses.
std::string render_listing(const std::vector<std::string>& summaries, std::uint64_t total,
                           const list_request& req);

/// invalid_input with one entry per bad field of a create request.
caf::error check_create(const create_request& req);

/// Checks a model release (virtool-core's MLModelRelease, with its `model`)
/// and adds one entry to `errors` per bad field, named `<path>.<field>`.
void check_ml_release(const nlohmann::json& release, const std::string& path,
                      nlohmann::json& errors);

/// The analysis a create request describes, created at `at`.
analysis_state make_analysis(const create_request& req, std::string id, std::string job_id,
                             timestamp at);

/// The maximum nesting of JSON bodies (objects and arrays).
constexpr int max_json_depth = 128;

/// Parses JSON text that is valid UTF-8 and nested at most max_json_depth
/// deep; false (never an exception) otherwise.
bool parse_json_limited(const std::string& text, nlohmann::json& out);

} // namespace analysisd
