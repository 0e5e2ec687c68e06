#include "http/request_parsing.hpp"

#include "actors/analysis_logic.hpp"


#include <bitset>
#include <charconv>
#include <string_view>

namespace analysisd {

bool parse_decimal(restinio::string_view_t text, std::size_t max_digits, std::uint64_t& out) {
  if (text.empty() || text.size() > max_digits)
    return false;
  std::uint64_t x = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    x = x * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = x;
  return true;
}

bool parse_json_body(const std::string& body, nlohmann::json& out) {
  return parse_json_limited(body, out);
}

namespace {

// Appends `s` as a JSON string, escaped as nlohmann's dump() escapes it (the
// quote, the backslash and the control characters); every other byte as it
// is, since the lexer has checked that the string is UTF-8.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0; // first byte of the run still to copy as it is
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"':
      case '\\':
        out.push_back(static_cast<char>(c));
        break;
      case '\b':
        out.push_back('b');
        break;
      case '\f':
        out.push_back('f');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\r':
        out.push_back('r');
        break;
      case '\t':
        out.push_back('t');
        break;
      default:
        out.append("u00");
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

// The SAX handler behind extract_results: validates the whole body and copies
// only the top-level `results` object out, compact, as it goes. State is a
// few flags and one bit per open container.
//
// The depth limit is parse_json_limited's: its callback sees each key, value
// and container start with the number of containers open around it, and
// refuses max_json_depth or more. So max_json_depth containers may nest only
// if the innermost is empty.
class results_extractor final : public nlohmann::json_sax<nlohmann::json> {
public:
  explicit results_extractor(std::string& out) : out_(out) {}

  // True once the parse is over if the last top-level `results` was an object.
  bool found() const { return found_; }

  bool null() override { return scalar("null"); }
  bool boolean(bool value) override { return scalar(value ? "true" : "false"); }
  bool number_integer(number_integer_t value) override { return integer(value); }
  bool number_unsigned(number_unsigned_t value) override { return integer(value); }

  bool number_float(number_float_t, const string_t& text) override {
    if (!enter_value(false))
      return false;
    if (copying_) {
      // The client's text, not a re-rendering of the double. The lexer wrote
      // the locale's decimal point where the text had '.'.
      for (char c : text)
        out_.push_back((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' || c == 'E'
                         ? c : '.');
    }
    return true;
  }

  bool string(string_t& value) override {
    if (!enter_value(false))
      return false;
    if (copying_)
      append_json_string(out_, value);
    return true;
  }

  bool binary(binary_t&) override { return false; } // JSON text has none

  bool start_object(std::size_t) override { return open(true); }
  bool end_object() override { return close('}'); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_array() override { return close(']'); }

  bool key(string_t& name) override {
    if (depth_ >= max_json_depth)
      return false;
    if (depth_ == 1) {
      at_results_ = name == "results";
    } else if (copying_) {
      if (has_members_[depth_])
        out_.push_back(',');
      has_members_[depth_] = true;
      append_json_string(out_, name);
      out_.push_back(':');
      after_key_ = true;
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception&) override {
    return false;
  }

private:
  // Before every value, container or not: the depth check, the top level's
  // bookkeeping and, inside results, the separator.
  bool enter_value(bool is_object) {
    if (depth_ >= max_json_depth)
      return false;
    if (depth_ == 0)
      return is_object; // anything else is refused: no need to read on
    if (depth_ == 1) {
      if (at_results_) {
        // A later `results` replaces an earlier one, as in a DOM.
        at_results_ = false;
        found_ = is_object;
        copying_ = is_object;
        out_.clear();
      }
      return true;
    }
    if (copying_) {
      if (after_key_) {
        after_key_ = false;
      } else {
        if (has_members_[depth_])
          out_.push_back(',');
        has_members_[depth_] = true;
      }
    }
    return true;
  }

  bool scalar(std::string_view text) {
    if (!enter_value(false))
      return false;
    if (copying_)
      out_.append(text);
    return true;
  }

  template <class Integer>
  bool integer(Integer value) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    return scalar(std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }

  bool open(bool is_object) {
    if (!enter_value(is_object))
      return false;
    if (copying_)
      out_.push_back(is_object ? '{' : '[');
    ++depth_;
    has_members_[depth_] = false;
    return true;
  }

  bool close(char bracket) {
    --depth_;
    if (copying_) {
      out_.push_back(bracket);
      copying_ = depth_ > 1; // back at the top level: the results object is done
    }
    return true;
  }

  std::string& out_;
  int depth_ = 0; // containers open
  bool at_results_ = false; // the last top-level key was "results"
  bool found_ = false;
  bool copying_ = false; // inside the top-level results object
  bool after_key_ = false; // inside results, a key was written and its value is next
  std::bitset<max_json_depth + 1> has_members_; // per open container, inside results
};

} // namespace

std::string extract_results(std::string_view body) {
  std::string out;
  // A NUL ends the input for nlohmann's lexer: what follows would go unread.
  if (body.find('\0') != std::string_view::npos)
    return out;
  results_extractor sax(out);
  try {
    if (nlohmann::json::sax_parse(body.begin(), body.end(), &sax) && sax.found())
      return out;
  } catch (const std::exception&) {
    // Out of memory: refused like any body we cannot read, as the DOM was.
  }
  return {};
}

namespace {

// Reads a string field; records an error and returns "" when it is not one.
std::string string_field(const nlohmann::json& obj, const char* key, const std::string& path,
                         nlohmann::json& errors) {
  auto i = obj.find(key);
  if (i == obj.end() || i->is_null()) {
    errors[path].push_back("required field");
    return {};
  }
  if (!i->is_string()) {
    errors[path].push_back("must be of string type");
    return {};
  }
  auto value = i->get<std::string>();
  if (value.empty())
    errors[path].push_back("required field");
  return value;
}

const nlohmann::json* object_field(const nlohmann::json& obj, const char* key,
                                   nlohmann::json& errors) {
  auto i = obj.find(key);
  if (i == obj.end() || i->is_null()) {
    errors[key].push_back("required field");
    return nullptr;
  }
  if (!i->is_object()) {
    errors[key].push_back("must be of dict type");
    return nullptr;
  }
  return &*i;
}

caf::error invalid_input(const nlohmann::json& errors) {
  return make_error(errc::invalid_input, errors.dump());
}

} // namespace

caf::error parse_create(const std::string& body, create_request& out) {
  nlohmann::json j;
  nlohmann::json errors = nlohmann::json::object();
  if (!parse_json_body(body, j) || !j.is_object()) {
    errors["body"].push_back("must be a JSON object");
    return invalid_input(errors);
  }
  out.workflow = string_field(j, "workflow", "workflow", errors);
  if (auto s = object_field(j, "sample", errors)) {
    out.sample.id = string_field(*s, "id", "sample.id", errors);
    out.sample.name = string_field(*s, "name", "sample.name", errors);
  }
  if (auto x = object_field(j, "index", errors)) {
    out.index.id = string_field(*x, "id", "index.id", errors);
    auto v = x->find("version");
    if (v == x->end() || !v->is_number_integer())
      errors["index.version"].push_back("must be of integer type");
    else if (v->is_number_unsigned() && v->get<std::uint64_t>() > INT64_MAX)
      errors["index.version"].push_back("must be of integer type");
    else
      out.index.version = v->get<std::int64_t>();
  }
  if (auto u = object_field(j, "user", errors)) {
    out.user_id = string_field(*u, "id", "user.id", errors);
    if (auto h = u->find("handle"); h != u->end() && !h->is_null())
      out.user_handle = string_field(*u, "handle", "user.handle", errors);
  }
  if (auto r = j.find("reference"); r != j.end() && !r->is_null()) {
    if (!r->is_object()) {
      errors["reference"].push_back("must be of dict type");
    } else {
      out.reference.id = string_field(*r, "id", "reference.id", errors);
      out.reference.name = string_field(*r, "name", "reference.name", errors);
      out.reference.data_type = string_field(*r, "data_type", "reference.data_type", errors);
    }
  }
  if (auto m = j.find("ml"); m != j.end() && !m->is_null()) {
    if (!m->is_object())
      errors["ml"].push_back("must be of dict type or null");
    else
      out.ml = m->dump(); // its shape is check_create's to judge
  }
  if (auto s = j.find("subtractions"); s != j.end() && !s->is_null()) {
    if (!s->is_array()) {
      errors["subtractions"].push_back("must be of list type");
    } else {
      for (auto& item : *s) {
        if (!item.is_object()) {
          errors["subtractions"].push_back("must be a list of {id, name} objects");
          break;
        }
        named_ref ref;
        ref.id = string_field(item, "id", "subtractions.id", errors);
        ref.name = string_field(item, "name", "subtractions.name", errors);
        out.subtractions.push_back(std::move(ref));
      }
    }
  }
  if (auto id = j.find("id"); id != j.end() && !id->is_null()) {
    if (!id->is_string() || !is_valid_id(id->get<std::string>()))
      errors["id"].push_back("must be 8 characters of [a-z0-9]");
    else
      out.id = id->get<std::string>();
  }
  if (!errors.empty())
    return invalid_input(errors);
  return check_create(out);
}

caf::error parse_acquire(const std::string& body) {
  nlohmann::json j;
  if (parse_json_body(body, j) && j.is_object()) {
    auto i = j.find("acquired");
    if (i != j.end() && i->is_boolean() && i->get<bool>())
      return {};
  }
  return make_error(errc::invalid_input, R"({"acquired":["must be true"]})");
}

caf::error parse_backup(const std::string& body, std::string& path) {
  nlohmann::json j;
  if (parse_json_body(body, j) && j.is_object()) {
    auto i = j.find("path");
    if (i != j.end() && i->is_string()) {
      path = i->get<std::string>();
      if (!path.empty() && path.front() == '/' && path.find('\0') == std::string::npos)
        return {};
      return make_error(errc::invalid_input, R"({"path":["must be an absolute path"]})");
    }
  }
  return make_error(errc::invalid_input, R"({"path":["required field"]})");
}

caf::error parse_list_query(restinio::string_view_t query, list_request& out) {
  nlohmann::json errors = nlohmann::json::object();
  auto params = restinio::try_parse_query<restinio::parse_query_traits::javascript_compatible>(query);
  if (!params)
    return make_error(errc::invalid_query, R"({"query":["malformed query string"]})");
  auto number = [&](const char* key, std::uint64_t& into, std::uint64_t max) {
    auto v = params->get_param(key);
    if (!v)
      return;
    std::uint64_t x = 0;
    if (!parse_decimal(*v, 9, x) || x < 1 || x > max)
      errors[key].push_back(list_range_error(max));
    else
      into = x;
  };
  number("page", out.page, max_list_page);
  number("per_page", out.per_page, max_list_per_page);
  if (!errors.empty())
    return make_error(errc::invalid_query, errors.dump());
  return {};
}

namespace {

// The first value of `key` in `query`, percent-decoded byte by byte; false if
// absent or if an escape is malformed. Used only for a query that RESTinio
// refuses as a whole because a decoded value is not UTF-8 (`name=%FF`): the
// plain-name and format checks must then see the bytes, in SPEC.md's order,
// instead of "name missing".
bool raw_query_value(restinio::string_view_t query, restinio::string_view_t key,
                     std::string& out) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == restinio::string_view_t::npos ? restinio::string_view_t{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) != key)
      continue;
    auto value = eq == restinio::string_view_t::npos ? restinio::string_view_t{} : pair.substr(eq + 1);
    out.clear();
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '+') {
        out.push_back(' ');
      } else if (value[i] != '%') {
        out.push_back(value[i]);
      } else if (i + 2 < value.size() && hex(value[i + 1]) >= 0 && hex(value[i + 2]) >= 0) {
        out.push_back(static_cast<char>(hex(value[i + 1]) * 16 + hex(value[i + 2])));
        i += 2;
      } else {
        return false;
      }
    }
    return true;
  }
  return false;
}

} // namespace

upload_request parse_upload_query(restinio::string_view_t query) {
  upload_request out;
  if (auto params = restinio::try_parse_query<restinio::parse_query_traits::javascript_compatible>(query)) {
    if (auto name = params->get_param("name"))
      out.name.assign(name->data(), name->size());
    if (auto format = params->get_param("format")) {
      out.has_format = true;
      out.format.assign(format->data(), format->size());
    }
  } else {
    if (!raw_query_value(query, "name", out.name))
      out.name.clear();
    out.has_format = raw_query_value(query, "format", out.format);
  }
  return out;
}

} // namespace analysisd

namespace analysisd {

bool if_none_match(std::string_view header, std::string_view etag) {
  auto is_ows = [](char c) { return c == ' ' || c == '\t'; };
  std::size_t i = 0;
  auto skip_ows = [&] {
    while (i < header.size() && is_ows(header[i]))
      ++i;
  };
  skip_ows();
  if (header.substr(i, 1) == "*") {
    ++i;
    skip_ows();
    return i == header.size();
  }
  // #entity-tag: tags separated by commas, empty elements allowed.
  bool matched = false;
  while (i < header.size()) {
    if (header[i] == ',') {
      ++i;
      skip_ows();
      continue;
    }
    if (header.substr(i, 2) == "W/")
      i += 2;
    if (i >= header.size() || header[i] != '"')
      return false;
    auto end = header.find('"', i + 1);
    if (end == std::string_view::npos)
      return false;
    for (auto k = i + 1; k < end; ++k) {
      auto c = static_cast<unsigned char>(header[k]);
      if (c < 0x21 || c == 0x7f)
        return false; // etagc: %x21 / %x23-7E / obs-text
    }
    matched = matched || header.substr(i, end + 1 - i) == etag;
    i = end + 1;
    skip_ows();
    if (i < header.size() && header[i] != ',')
      return false;
  }
  return matched;
}

} // namespace analysisd
