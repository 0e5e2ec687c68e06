#include "tests/support/virtool_models.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <regex>

namespace analysisd::test {

namespace {

enum class kind { str, integer, boolean, datetime, dict, model, list_of_model, data_type };

struct field {
  const char* name;
  kind type;
  bool required = true; ///< Must be present (pydantic: no default).
  bool nullable = false;
  const char* model = nullptr; ///< For model and list_of_model.
};

// The models as virtool-core declares them (pydantic 2: a field without a
// default is required, `X | None` makes it nullable).
const std::map<std::string, std::vector<field>>& models() {
  static const std::map<std::string, std::vector<field>> all = {
    {"AnalysisMinimal",
     {{"created_at", kind::datetime},
      {"id", kind::str},
      {"index", kind::model, true, false, "IndexNested"},
      {"job", kind::model, true, true, "JobMinimal"},
      {"ml", kind::model, true, true, "MLModelRelease"},
      {"ready", kind::boolean},
      {"reference", kind::model, true, false, "ReferenceNested"},
      {"sample", kind::model, true, false, "AnalysisSample"},
      {"subtractions", kind::list_of_model, true, false, "SubtractionNested"},
      // A root validator fills it from created_at when it is missing.
      {"updated_at", kind::datetime, false},
      {"user", kind::model, true, false, "UserNested"},
      {"workflow", kind::str}}},
    {"AnalysisFile",
     {{"analysis", kind::str},
      {"description", kind::str, false, true},
      // virtool-core says `format: str`; SPEC.md renders null for an upload
      // that named no format (Virtool's own server allows that too, and
      // virtool-workflow always names one). The one deliberate difference.
      {"format", kind::str, true, true},
      {"id", kind::integer},
      {"name", kind::str},
      {"name_on_disk", kind::str},
      {"size", kind::integer, true, true},
      {"uploaded_at", kind::datetime, true, true}}},
    {"AnalysisSample", {{"id", kind::str}}},
    {"JobMinimal",
     {{"id", kind::str},
      {"archived", kind::boolean},
      {"created_at", kind::datetime},
      {"progress", kind::integer},
      {"stage", kind::str, true, true},
      {"state", kind::str},
      {"user", kind::model, true, false, "UserNested"},
      {"workflow", kind::str}}},
    {"UserNested", {{"id", kind::str}, {"handle", kind::str}}},
    {"IndexNested", {{"id", kind::str}, {"version", kind::integer}}},
    {"ReferenceNested", {{"id", kind::str}, {"data_type", kind::data_type}, {"name", kind::str}}},
    {"SubtractionNested", {{"id", kind::str}, {"name", kind::str}}},
    {"MLModelRelease",
     {{"id", kind::integer},
      {"created_at", kind::datetime},
      {"download_url", kind::str},
      {"github_url", kind::str},
      {"model", kind::model, true, false, "MLModelMinimal"},
      {"name", kind::str},
      {"published_at", kind::datetime},
      {"ready", kind::boolean},
      {"size", kind::integer}}},
    {"MLModelMinimal",
     {{"id", kind::integer},
      {"created_at", kind::datetime},
      {"description", kind::str},
      {"latest_release", kind::model, true, true, "MLModelRelease"},
      {"name", kind::str},
      {"release_count", kind::integer}}},
  };
  return all;
}

bool is_datetime(const nlohmann::json& v) {
  static const std::regex iso(
    R"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)");
  return v.is_string() && std::regex_match(v.get<std::string>(), iso);
}

void check(const std::string& model, const nlohmann::json& doc, const std::string& path,
           std::vector<std::string>& errors);

void check_value(const field& f, const nlohmann::json& v, const std::string& path,
                 std::vector<std::string>& errors) {
  auto wrong = [&](const char* what) { errors.push_back(path + ": " + what + ", got " + v.dump()); };
  switch (f.type) {
    case kind::str:
      if (!v.is_string())
        wrong("must be a string");
      break;
    case kind::integer:
      if (!v.is_number_integer())
        wrong("must be an integer");
      break;
    case kind::boolean:
      if (!v.is_boolean())
        wrong("must be a boolean");
      break;
    case kind::datetime:
      if (!is_datetime(v))
        wrong("must be an ISO 8601 datetime");
      break;
    case kind::dict:
      if (!v.is_object())
        wrong("must be a dict");
      break;
    case kind::data_type:
      if (v != "genome" && v != "barcode")
        wrong("must be genome or barcode");
      break;
    case kind::model:
      check(f.model, v, path, errors);
      break;
    case kind::list_of_model:
      if (!v.is_array()) {
        wrong("must be a list");
        break;
      }
      for (std::size_t i = 0; i < v.size(); ++i)
        check(f.model, v[i], path + "[" + std::to_string(i) + "]", errors);
      break;
  }
}

void check_fields(const std::vector<field>& fields, const nlohmann::json& doc,
                  const std::string& path, std::vector<std::string>& errors) {
  for (auto& f : fields) {
    auto at = path.empty() ? std::string{f.name} : path + "." + f.name;
    auto i = doc.find(f.name);
    if (i == doc.end()) {
      if (f.required)
        errors.push_back(at + ": required field missing");
      continue;
    }
    if (i->is_null()) {
      if (!f.nullable)
        errors.push_back(at + ": must not be null");
      continue;
    }
    check_value(f, *i, at, errors);
  }
}

void check(const std::string& model, const nlohmann::json& doc, const std::string& path,
           std::vector<std::string>& errors) {
  if (!doc.is_object()) {
    errors.push_back((path.empty() ? model : path) + ": must be an object (" + model + ")");
    return;
  }
  if (model == "Analysis") {
    check_fields(models().at("AnalysisMinimal"), doc, path, errors);
    check_fields({{"files", kind::list_of_model, true, false, "AnalysisFile"},
                  {"results", kind::dict, true, true}},
                 doc, path, errors);
    return;
  }
  check_fields(models().at(model), doc, path, errors);
}

// The path of a request target without its query.
std::string path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

std::atomic<std::size_t> documents_checked{0};
std::mutex real_servers_mutex;
std::set<std::uint16_t> real_servers;

} // namespace

void register_real_server(std::uint16_t port) {
  std::lock_guard<std::mutex> guard{real_servers_mutex};
  real_servers.insert(port);
}

bool is_real_server(std::uint16_t port) {
  std::lock_guard<std::mutex> guard{real_servers_mutex};
  return real_servers.count(port) != 0;
}

std::size_t checked_documents() {
  return documents_checked.load();
}

std::vector<std::string> model_errors(const std::string& model, const nlohmann::json& doc) {
  std::vector<std::string> errors;
  check(model, doc, "", errors);
  return errors;
}

void check_response(const http_request& req, const http_response& res) {
  if (res.status != 200 && res.status != 201)
    return;
  static const std::regex analysis(R"((/api|/admin)?/analyses/[^/]+)");
  static const std::regex files(R"((/api)?/analyses/[^/]+/files)");
  auto path = path_of(req.target);
  std::string model;
  bool listing = false;
  if (std::regex_match(path, analysis) && (req.method == "GET" || req.method == "PATCH"))
    model = "Analysis";
  else if (path == "/admin/analyses" && req.method == "POST")
    model = "Analysis";
  else if (path == "/admin/analyses" && req.method == "GET")
    listing = true;
  else if (std::regex_match(path, files) && (req.method == "POST" || req.method == "PUT"))
    model = "AnalysisFile";
  else
    return;
  auto doc = nlohmann::json::parse(res.body, nullptr, false);
  ++documents_checked;
  std::vector<std::string> errors;
  if (listing) {
    auto docs = doc.is_object() ? doc.find("documents") : doc.end();
    if (docs == doc.end() || !docs->is_array()) {
      errors.push_back("documents: missing");
    } else {
      for (std::size_t i = 0; i < docs->size(); ++i) {
        auto at = "documents[" + std::to_string(i) + "]";
        check("AnalysisMinimal", (*docs)[i], at, errors);
        check_fields({{"files", kind::list_of_model, true, false, "AnalysisFile"}}, (*docs)[i],
                     at, errors);
      }
    }
  } else {
    check(model, doc, "", errors);
  }
  for (auto& e : errors)
    ADD_FAILURE() << req.method << " " << req.target << " answered a document that virtool-core's "
                  << (listing ? "AnalysisMinimal" : model) << " refuses: " << e << "\n"
                  << res.body.substr(0, 2000);
}

} // namespace analysisd::test
