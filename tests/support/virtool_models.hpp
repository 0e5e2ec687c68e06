#pragma once

// virtool-core's pydantic models of what the job runtime (virtool-workflow)
// reads, written down as this test suite's own schema: Analysis,
// AnalysisMinimal, AnalysisFile, JobMinimal, UserNested, IndexNested,
// ReferenceNested, SubtractionNested, MLModelRelease (with MLModelMinimal).
// Every document the end-to-end suites receive is checked against them (see
// check_response), so a document the runtime would refuse fails a test.

#include "tests/support/http_client.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace analysisd::test {

/// What is wrong with `doc` as the named model ("Analysis", "AnalysisMinimal",
/// "AnalysisFile", ...): one line per missing required key or value of the
/// wrong type, with its path. Empty: the model accepts it.
std::vector<std::string> model_errors(const std::string& model, const nlohmann::json& doc);

/// Marks `port` as served by the real analysisd binary (server_process does):
/// only its responses are checked, not those of the HTTP layer's tests with
/// fake actors. Thread-safe.
void register_real_server(std::uint16_t port);
bool is_real_server(std::uint16_t port);

/// Checks a response by the route it answers: analysis documents (job and
/// operator GET, finalize, create) as Analysis, the listing's documents as
/// AnalysisMinimal with files, an upload's FILE as AnalysisFile. Adds a
/// GoogleTest failure for each error; other routes and error responses are
/// not checked. Thread-safe.
void check_response(const http_request& req, const http_response& res);

/// How many documents check_response has checked so far in this process.
std::size_t checked_documents();

} // namespace analysisd::test
