// Finalize and operator bodies on arbitrary bytes: the finalize path
// (extract_results in the handler, which the analysis actor trusts, then the
// rendered document) and the create and acquire bodies.
// Invariants: never throws; extract_results (one SAX pass) accepts exactly the
// bodies that the DOM path it replaced accepted, and its results parse to the
// DOM's value (key order and number text may differ: they are the client's);
// accepted results are a compact object (extracting them again gives them
// back) no longer than the body; the analysis document of an accepted create
// or finalize is JSON that nlohmann parses back with the same values; every
// refusal carries an `errors` object.

#include "actors/analysis_logic.hpp"
#include "fuzz_check.hpp"
#include "http/request_parsing.hpp"

#include <cstdint>
#include <string>

using namespace analysisd;

namespace {

nlohmann::json parse_back(const std::string& text) {
  nlohmann::json j;
  FUZZ_CHECK(parse_json_limited(text, j));
  return j;
}

// The DOM path that extract_results replaced: parse all, find, dump.
std::string dom_results(const std::string& body) {
  nlohmann::json j;
  if (!parse_json_limited(body, j) || !j.is_object())
    return {};
  auto i = j.find("results");
  if (i == j.end() || !i->is_object())
    return {};
  return i->dump();
}

void check_invalid_input(const caf::error& err) {
  FUZZ_CHECK(code_of(err) == static_cast<std::uint8_t>(errc::invalid_input));
  auto j = parse_back(context_of(err));
  FUZZ_CHECK(j.is_object() && !j.empty());
}

analysis_state some_analysis() {
  analysis_state a;
  a.id = "abcd1234";
  a.created_at = 1507066554813000;
  a.updated_at = a.created_at;
  a.job_id = "jobjob01";
  a.workflow = "pathoscope_bowtie";
  a.sample = {"kigvhuql", "Test 1"};
  a.index = {"qldihken", 3};
  a.user_id = "igboyes";
  return a;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);

  // PATCH /api/analyses/<id>: the handler extracts, the actor trusts it.
  auto results = extract_results(body);
  auto dom = dom_results(body);
  FUZZ_CHECK(results.empty() == dom.empty());
  if (!results.empty()) {
    auto parsed = parse_back(results);
    FUZZ_CHECK(parsed.is_object());
    FUZZ_CHECK(parsed == parse_back(dom));
    FUZZ_CHECK(results.size() <= body.size());
    FUZZ_CHECK(extract_results("{\"results\":" + results + "}") == results);
    auto a = some_analysis();
    a.ready = true;
    a.results = results;
    auto full = render_analysis(a);
    auto doc = parse_back(full);
    FUZZ_CHECK(doc.at("results") == parsed);
    FUZZ_CHECK(doc.at("ready") == true);
    FUZZ_CHECK(parse_back(add_results(render_analysis(a, false), a)) == doc);
  }

  // POST /admin/analyses
  create_request req;
  if (auto err = parse_create(body, req)) {
    check_invalid_input(err);
  } else {
    FUZZ_CHECK(!check_create(req));
    FUZZ_CHECK(req.id.empty() || is_valid_id(req.id));
    auto a = make_analysis(req, req.id.empty() ? "abcd1234" : req.id, "jobjob01", 0);
    auto doc = parse_back(render_analysis(a));
    FUZZ_CHECK(doc.at("workflow") == req.workflow);
    FUZZ_CHECK(doc.at("sample").at("name") == req.sample.name);
    FUZZ_CHECK(doc.at("index").at("version") == req.index.version);
    FUZZ_CHECK(doc.at("subtractions").size() == req.subtractions.size());
  }

  // PATCH /admin/jobs/<id>
  if (auto err = parse_acquire(body)) {
    check_invalid_input(err);
  } else {
    auto j = parse_back(body);
    FUZZ_CHECK(j.is_object() && j.at("acquired") == true);
  }
  return 0;
}
