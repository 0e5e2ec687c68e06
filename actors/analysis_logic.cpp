#include "actors/analysis_logic.hpp"

#include <nlohmann/json.hpp>

#include <regex>

namespace analysisd {

bool is_valid_utf8(const std::string& s) {
  std::size_t i = 0;
  auto n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n)
      return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)
        || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

bool is_plain_file_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 255)
    return false;
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '/' || c == '\\' || c < 0x20 || c == 0x7F)
      return false;
  }
  return is_valid_utf8(name);
}

bool is_supported_format(const std::string& format) {
  static const std::set<std::string> formats{"sam", "bam", "fasta", "fastq", "csv", "tsv", "json"};
  return formats.count(format) != 0;
}

caf::error check_upload_query(const upload_request& req) {
  if (req.name.empty())
    return make_error(errc::name_required);
  if (req.has_format && !is_supported_format(req.format))
    return make_error(errc::unsupported_format);
  if (!is_plain_file_name(req.name))
    return make_error(errc::name_not_plain);
  return {};
}

caf::error check_upload(const analysis_state& a, const std::set<std::string>& reserved,
                        const upload_request& req) {
  if (auto err = check_upload_query(req))
    return err;
  // `<file_id>-<name>` must fit the file system's 255-byte name limit too.
  if (std::to_string(a.next_file_id).size() + 1 + req.name.size() > 255)
    return make_error(errc::name_not_plain);
  if (reserved.count(req.name) != 0)
    return make_error(errc::file_exists);
  for (auto& f : a.files)
    if (f.name == req.name)
      return make_error(errc::file_exists);
  if (req.too_large)
    return make_error(errc::too_large);
  if (!req.multipart_ok)
    return make_error(errc::invalid_multipart);
  return {};
}

caf::error check_finalize(const analysis_state& a) {
  if (a.ready)
    return make_error(errc::already_finalized);
  return {};
}

bool parse_json_limited(const std::string& text, nlohmann::json& out) {
  // nlohmann's lexer takes a NUL byte for the end of the input, so that
  // "{}\0garbage" would parse; JSON text has no NUL outside a string, and
  // none raw inside one.
  if (!is_valid_utf8(text) || text.find('\0') != std::string::npos)
    return false;
  try {
    // nlohmann counts the outermost value as depth 0.
    auto depth_guard = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
      if (depth >= max_json_depth)
        throw std::length_error("JSON nested too deep");
      return true;
    };
    out = nlohmann::json::parse(text, depth_guard);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

caf::error check_results(const std::string& results) {
  if (results.empty())
    return make_error(errc::invalid_input, R"({"results":["required field"]})");
  return {};
}

caf::expected<journal_record> finalize_record(const analysis_state& a, const std::string& results,
                                              timestamp at) {
  if (auto err = check_results(results))
    return err;
  if (auto err = check_finalize(a))
    return err;
  journal_record rec;
  rec.kind = record_kind::finalized;
  rec.analysis_id = a.id;
  rec.results = results;
  rec.at = at;
  return rec;
}

caf::error check_remove(const analysis_state& a, bool forced) {
  if (a.ready && !forced)
    return make_error(errc::analysis_finalized);
  return {};
}

std::string list_range_error(std::uint64_t max) {
  return "must be an integer from 1 to " + std::to_string(max);
}

caf::error check_list(const list_request& req) {
  nlohmann::json errors = nlohmann::json::object();
  if (req.page < 1 || req.page > max_list_page)
    errors["page"].push_back(list_range_error(max_list_page));
  if (req.per_page < 1 || req.per_page > max_list_per_page)
    errors["per_page"].push_back(list_range_error(max_list_per_page));
  if (errors.empty())
    return {};
  return make_error(errc::invalid_query, errors.dump());
}

caf::error check_create(const create_request& req) {
  nlohmann::json errors = nlohmann::json::object();
  auto text = [&](const char* field, const std::string& value) {
    if (value.empty())
      errors[field].push_back("required field");
    else if (!is_valid_utf8(value))
      errors[field].push_back("must be valid UTF-8");
  };
  if (!req.id.empty() && !is_valid_id(req.id))
    errors["id"].push_back("must be 8 characters of [a-z0-9]");
  text("workflow", req.workflow);
  text("sample.id", req.sample.id);
  text("sample.name", req.sample.name);
  text("index.id", req.index.id);
  text("user.id", req.user_id);
  if (!req.user_handle.empty())
    text("user.handle", req.user_handle);
  for (auto& s : req.subtractions) {
    text("subtractions.id", s.id);
    text("subtractions.name", s.name);
  }
  if (!req.reference.id.empty() || !req.reference.name.empty()
      || !req.reference.data_type.empty()) {
    text("reference.id", req.reference.id);
    text("reference.name", req.reference.name);
    if (req.reference.data_type != "genome" && req.reference.data_type != "barcode")
      errors["reference.data_type"].push_back("must be one of genome, barcode");
  }
  if (!req.ml.empty()) {
    nlohmann::json ml;
    if (!parse_json_limited(req.ml, ml) || !ml.is_object())
      errors["ml"].push_back("must be of dict type or null");
    else
      check_ml_release(ml, "ml", errors);
  }
  if (errors.empty())
    return {};
  return make_error(errc::invalid_input, errors.dump());
}

namespace {

// What pydantic takes for a datetime: ISO 8601 text (date, `T` or a space,
// time to the minute at least, optional fraction and zone) or a Unix time.
bool is_datetime(const nlohmann::json& v) {
  if (v.is_number_integer() || v.is_number_float())
    return true;
  if (!v.is_string())
    return false;
  static const std::regex iso(
    R"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}(:?\d{2})?)?)");
  return std::regex_match(v.get_ref<const std::string&>(), iso);
}

void check_fields(const nlohmann::json& obj, const std::string& path,
                  std::initializer_list<std::pair<const char*, const char*>> fields,
                  nlohmann::json& errors) {
  for (auto& [key, type] : fields) {
    auto field = path + "." + key;
    auto i = obj.find(key);
    if (i == obj.end() || i->is_null()) {
      errors[field].push_back("required field");
      continue;
    }
    std::string t = type;
    bool ok = t == "int"    ? i->is_number_integer()
              : t == "str"  ? i->is_string()
              : t == "bool" ? i->is_boolean()
                            : is_datetime(*i);
    if (!ok)
      errors[field].push_back(t == "datetime" ? "must be a datetime" : "must be of " + t + " type");
  }
}

} // namespace

void check_ml_release(const nlohmann::json& release, const std::string& path,
                      nlohmann::json& errors) {
  // virtool-core's MLModelRelease, and its MLModelMinimal as `model`.
  check_fields(release, path,
               {{"id", "int"}, {"created_at", "datetime"}, {"download_url", "str"},
                {"github_url", "str"}, {"name", "str"}, {"published_at", "datetime"},
                {"ready", "bool"}, {"size", "int"}},
               errors);
  auto model = release.find("model");
  if (model == release.end() || model->is_null()) {
    errors[path + ".model"].push_back("required field");
    return;
  }
  if (!model->is_object()) {
    errors[path + ".model"].push_back("must be of dict type");
    return;
  }
  check_fields(*model, path + ".model",
               {{"id", "int"}, {"created_at", "datetime"}, {"description", "str"},
                {"name", "str"}, {"release_count", "int"}},
               errors);
  auto latest = model->find("latest_release");
  if (latest == model->end())
    errors[path + ".model.latest_release"].push_back("required field");
  else if (!latest->is_null() && !latest->is_object())
    errors[path + ".model.latest_release"].push_back("must be of dict type or null");
  else if (latest->is_object())
    check_ml_release(*latest, path + ".model.latest_release", errors);
}

analysis_state make_analysis(const create_request& req, std::string id, std::string job_id,
                             timestamp at) {
  analysis_state a;
  a.id = std::move(id);
  a.created_at = at;
  a.updated_at = at;
  a.job_id = std::move(job_id);
  a.workflow = req.workflow;
  a.sample = req.sample;
  a.index = req.index;
  a.user_id = req.user_id;
  a.user_handle = req.user_handle;
  a.subtractions = req.subtractions;
  a.reference = req.reference;
  // Kept as given, but compact: check_create has parsed it once already.
  if (!req.ml.empty())
    a.ml = nlohmann::json::parse(req.ml).dump();
  return a;
}

std::string render_listing(const std::vector<std::string>& summaries, std::uint64_t total,
                           const list_request& req) {
  std::string out = "{\"documents\":[";
  bool first = true;
  for (auto& doc : summaries) {
    if (!first)
      out += ',';
    out += doc;
    first = false;
  }
  auto page_count = total == 0 ? 0 : (total + req.per_page - 1) / req.per_page;
  out += "],\"found_count\":" + std::to_string(total) + ",\"total_count\":"
         + std::to_string(total) + ",\"page\":" + std::to_string(req.page)
         + ",\"per_page\":" + std::to_string(req.per_page)
         + ",\"page_count\":" + std::to_string(page_count) + "}";
  return out;
}

} // namespace analysisd
