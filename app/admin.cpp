#include "app/admin.hpp"

#include "app/config.hpp"
#include "http/errors.hpp"
#include "persistence/backup.hpp"
#include "persistence/data_dir.hpp"
#include "persistence/storage.hpp"

#include <CLI/CLI.hpp>
#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>

namespace analysisd {

namespace {

constexpr const char* default_url = "http://127.0.0.1:9950";

std::map<std::string, std::string> env_map(const std::vector<std::string>& environment) {
  std::map<std::string, std::string> env;
  for (auto& entry : environment) {
    auto eq = entry.find('=');
    if (eq != std::string::npos)
      env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

// What the admin command line shares with the server's: where the config
// file, the data dir and the admin token are, resolved with the server's own
// parser and precedence (flags, ANALYSISD_* variables, the config file).
struct server_view {
  std::string config;
  std::string data_dir;
  std::string admin_token_file;
};

// Parses the server's options that the command names; "" or the error.
std::string resolve_server(const server_view& view, const std::vector<std::string>& environment,
                           server_config& cfg) {
  std::vector<std::string> args;
  if (!view.config.empty())
    args.push_back("--config=" + view.config);
  if (!view.data_dir.empty())
    args.push_back("--data-dir=" + view.data_dir);
  if (!view.admin_token_file.empty())
    args.push_back("--admin-token-file=" + view.admin_token_file);
  auto outcome = parse_command_line(args, environment, cfg);
  if (outcome.run)
    return {};
  auto msg = trim(outcome.err);
  if (msg.rfind("analysisd: ", 0) == 0)
    msg = msg.substr(11);
  return msg;
}

// The admin token as the server finds it, but never generated: the
// environment's, else the token file's, else <data-dir>/admin-token.
std::string find_token(const server_config& cfg, std::string& error) {
  if (!cfg.admin_token.empty())
    return cfg.admin_token;
  auto path = !cfg.admin_token_file.empty() ? cfg.admin_token_file : cfg.data_dir + "/admin-token";
  std::string text;
  if (auto ec = posix_storage().read_all(path, text)) {
    error = "cannot read the admin token file " + path + ": " + ec.message()
            + (cfg.admin_token_file.empty()
                 ? " (set ANALYSISD_ADMIN_TOKEN or ANALYSISD_ADMIN_TOKEN_FILE, or give "
                   "--admin-token-file, --data-dir or --config as the server has them)"
                 : "");
    return {};
  }
  text = trim(text);
  if (text.empty())
    error = "the admin token file " + path + " is empty";
  return text;
}

// http://HOST:PORT for the server's --listen, with a wildcard address
// replaced by loopback.
std::string url_of_listen(const std::string& listen) {
  std::string host;
  std::uint16_t port = 0;
  if (!split_listen(listen, host, port))
    return default_url;
  if (host == "0.0.0.0" || host.empty())
    host = "127.0.0.1";
  if (host == "::")
    host = "::1";
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port);
}

struct http_answer {
  long status = 0;
  std::string body;
  std::string error; ///< Set when there was no answer at all.
};

std::size_t collect(char* data, std::size_t size, std::size_t n, void* into) {
  static_cast<std::string*>(into)->append(data, size * n);
  return size * n;
}

http_answer call(const std::string& method, const std::string& url, const std::string& token,
                 const std::optional<std::string>& body, long timeout) {
  http_answer answer;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl{curl_easy_init(), curl_easy_cleanup};
  if (!curl) {
    answer.error = "cannot initialize libcurl";
    return answer;
  }
  curl_slist* headers = nullptr;
  auto auth = "Authorization: Bearer " + token;
  headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, "Accept: application/json");
  if (body)
    headers = curl_slist_append(headers, "Content-Type: application/json");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list{headers,
                                                                          curl_slist_free_all};
  char error[CURL_ERROR_SIZE] = {};
  auto* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  auto rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    answer.error = error[0] != '\0' ? error : curl_easy_strerror(rc);
    return answer;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

// "job.id" into a document; null if a step is missing.
const nlohmann::json* field_at(const nlohmann::json& doc, const std::string& path) {
  const nlohmann::json* at = &doc;
  std::size_t from = 0;
  while (from <= path.size()) {
    auto dot = path.find('.', from);
    auto key = path.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
    if (at->is_object()) {
      auto i = at->find(key);
      if (i == at->end())
        return nullptr;
      at = &*i;
    } else if (at->is_array() && !key.empty()
               && key.find_first_not_of("0123456789") == std::string::npos
               && std::stoul(key) < at->size()) {
      at = &(*at)[std::stoul(key)];
    } else {
      return nullptr;
    }
    if (dot == std::string::npos)
      break;
    from = dot + 1;
  }
  return at;
}

struct create_flags {
  std::string file;
  std::string id, workflow, sample_id, sample_name, index_id, user_id, user_handle;
  std::optional<long long> index_version;
  std::vector<std::string> subtractions;
  std::string reference_id, reference_name, reference_data_type;
};

// The create body: the file's JSON (or stdin's, for "-"), with the flags set over it.
std::string create_body(const create_flags& f, std::string& error) {
  nlohmann::json body = nlohmann::json::object();
  if (!f.file.empty()) {
    std::string text;
    if (f.file == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else if (auto ec = posix_storage().read_all(f.file, text)) {
      error = "cannot read " + f.file + ": " + ec.message();
      return {};
    }
    body = nlohmann::json::parse(text, nullptr, false);
    if (!body.is_object()) {
      error = (f.file == "-" ? std::string{"stdin"} : f.file) + " does not hold a JSON object";
      return {};
    }
  }
  auto set = [&](const std::string& value, std::initializer_list<const char*> path) {
    if (value.empty())
      return;
    nlohmann::json* at = &body;
    for (auto k : path)
      at = &(*at)[k];
    *at = value;
  };
  set(f.id, {"id"});
  set(f.workflow, {"workflow"});
  set(f.sample_id, {"sample", "id"});
  set(f.sample_name, {"sample", "name"});
  set(f.index_id, {"index", "id"});
  if (f.index_version)
    body["index"]["version"] = *f.index_version;
  set(f.user_id, {"user", "id"});
  set(f.user_handle, {"user", "handle"});
  set(f.reference_id, {"reference", "id"});
  set(f.reference_name, {"reference", "name"});
  set(f.reference_data_type, {"reference", "data_type"});
  if (!f.subtractions.empty()) {
    body["subtractions"] = nlohmann::json::array();
    for (auto& s : f.subtractions) {
      auto colon = s.find(':');
      if (colon == std::string::npos || colon == 0) {
        error = "--subtraction takes ID:NAME, not '" + s + "'";
        return {};
      }
      body["subtractions"].push_back({{"id", s.substr(0, colon)}, {"name", s.substr(colon + 1)}});
    }
  }
  if (body.empty()) {
    error = "create needs a JSON file (or - for stdin) or the flags of the analysis "
            "(--workflow, --sample-id, ...; see analysisd admin create --help)";
    return {};
  }
  return body.dump();
}

// The server's error answer as one line: "409 Conflict: Analysis already
// exists", with a 422's errors.
std::string describe_error(long status, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  std::string line = std::to_string(status) + " " + reason_phrase(static_cast<unsigned>(status));
  if (j.is_object() && j.contains("message") && j["message"].is_string()) {
    line += ": " + j["message"].get<std::string>();
    if (j.contains("errors") && j["errors"].is_object()) {
      std::string details;
      for (auto& [field, reasons] : j["errors"].items()) {
        std::string rs;
        if (reasons.is_array())
          for (auto& r : reasons)
            rs += (rs.empty() ? "" : "; ") + (r.is_string() ? r.get<std::string>() : r.dump());
        else
          rs = reasons.dump();
        details += (details.empty() ? "" : ", ") + field + ": " + rs;
      }
      if (!details.empty())
        line += " (" + details + ")";
    }
  } else if (!body.empty()) {
    line += ": " + trim(body.substr(0, 500));
  }
  return line;
}

// Parses `args` with `app`; -1 to go on, else the exit code: 0 after
// printing help, 2 after a usage error (`name` is "admin" or "backup").
int parse_or_exit(CLI::App& app, const std::vector<std::string>& args, const char* name,
                  std::ostream& out, std::ostream& err) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "analysisd " << name << ": " << e.what() << "\n(try analysisd " << name
        << " --help)\n";
    return 2;
  }
  return -1;
}

} // namespace

int run_admin(const std::vector<std::string>& args, const std::vector<std::string>& environment,
              std::ostream& out, std::ostream& err) {
  CLI::App app{"Operator commands against a running analysisd, over HTTP with the admin token. "
               "Prints the server's JSON; exits 0 on success, 1 when the server refused (its "
               "message on stderr) or cannot be reached, 2 on a usage error.",
               "analysisd admin"};
  app.set_help_flag("-h,--help", "print this help and exit");
  app.set_help_all_flag("--help-all", "print the help of every command and exit");
  app.require_subcommand(1);
  app.fallthrough();
  std::string url;
  server_view view;
  bool pretty = false;
  long timeout = 0;
  std::string field;
  app.add_option("--url", url,
                 "the server's URL (default: ANALYSISD_URL, else the listen address of the "
                 "config file or ANALYSISD_LISTEN, else http://127.0.0.1:9950)")
    ->type_name("URL");
  app.add_option("--config", view.config,
                 "the server's config file: its listen, data-dir and admin-token-file serve "
                 "(default: ANALYSISD_CONFIG)")
    ->type_name("FILE");
  app.add_option("--data-dir", view.data_dir,
                 "the server's data dir, whose admin-token file holds the token when no other "
                 "source gives one (default: ANALYSISD_DATA_DIR, else ./data)")
    ->type_name("DIR");
  app.add_option("--admin-token-file", view.admin_token_file,
                 "file holding the admin token (default: ANALYSISD_ADMIN_TOKEN, else "
                 "ANALYSISD_ADMIN_TOKEN_FILE, else DIR/admin-token)")
    ->type_name("FILE");
  app.add_flag("--pretty", pretty, "indent the JSON");
  app.add_option("--field", field,
                 "print only this field of the answer, e.g. job.id (strings without quotes)")
    ->type_name("PATH");
  app.add_option("--timeout", timeout, "seconds to wait for the answer (default: no limit)")
    ->type_name("SECONDS")
    ->check(CLI::NonNegativeNumber.description(""));

  create_flags cf;
  auto* create = app.add_subcommand("create", "create an analysis (and its job) -> the document");
  create->add_option("file", cf.file,
                     "JSON body of POST /admin/analyses (SPEC.md), - for stdin; flags set "
                     "fields over it")
    ->type_name("FILE");
  create->add_option("--id", cf.id, "the analysis id (default: generated)");
  create->add_option("--workflow", cf.workflow, "workflow, e.g. pathoscope_bowtie");
  create->add_option("--sample-id", cf.sample_id, "sample.id");
  create->add_option("--sample-name", cf.sample_name, "sample.name");
  create->add_option("--index-id", cf.index_id, "index.id");
  create->add_option("--index-version", cf.index_version, "index.version");
  create->add_option("--user-id", cf.user_id, "user.id");
  create->add_option("--user-handle", cf.user_handle, "user.handle (default: the user id)");
  create->add_option("--subtraction", cf.subtractions, "a subtraction, ID:NAME (repeatable)")
    ->type_name("ID:NAME");
  create->add_option("--reference-id", cf.reference_id, "reference.id");
  create->add_option("--reference-name", cf.reference_name, "reference.name");
  create->add_option("--reference-data-type", cf.reference_data_type,
                     "reference.data_type: genome or barcode");

  std::string job_id;
  bool whole = false;
  auto* acquire =
    app.add_subcommand("acquire", "acquire a job -> its key (shown this once), on stdout");
  acquire->add_option("job_id", job_id, "the job id (the document's job.id)")->required();
  acquire->add_flag("--json", whole, "print the server's JSON instead of the key alone");

  std::size_t page = 0, per_page = 0;
  auto* list = app.add_subcommand("list", "a page of analyses, newest first");
  list->add_option("--page", page, "page number (default 1)")->check(CLI::PositiveNumber);
  list->add_option("--per-page", per_page, "analyses per page, 1 to 100 (default 25)")
    ->check(CLI::PositiveNumber);

  std::string analysis_id;
  auto* get = app.add_subcommand("get", "an analysis's document");
  get->add_option("analysis_id", analysis_id, "the analysis id")->required();
  auto* remove = app.add_subcommand("delete", "delete an analysis and its files, whatever its state");
  remove->add_option("analysis_id", analysis_id, "the analysis id")->required();

  std::string dest;
  auto* backup = app.add_subcommand(
    "backup", "back up the server's data dir into DEST, a directory that does not exist or is "
              "empty, on the server's machine (POST /admin/backup) -> what it holds");
  backup->add_option("--to,dest", dest, "the backup's directory (relative: to the current one)")
    ->required()
    ->type_name("DEST");

  if (int code = parse_or_exit(app, args, "admin", out, err); code >= 0)
    return code;

  server_config cfg;
  if (auto e = resolve_server(view, environment, cfg); !e.empty()) {
    err << "analysisd admin: " << e << "\n";
    return 2;
  }
  auto env = env_map(environment);
  if (url.empty()) {
    if (auto u = env.find("ANALYSISD_URL"); u != env.end() && !u->second.empty())
      url = u->second;
    else
      url = url_of_listen(cfg.listen);
  }
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  std::string token_error;
  auto token = find_token(cfg, token_error);
  if (token.empty()) {
    err << "analysisd admin: " << token_error << "\n";
    return 2;
  }

  std::string method = "GET", path;
  std::optional<std::string> body;
  if (create->parsed()) {
    std::string e;
    body = create_body(cf, e);
    if (!e.empty()) {
      err << "analysisd admin: " << e << "\n";
      return 2;
    }
    method = "POST";
    path = "/admin/analyses";
  } else if (acquire->parsed()) {
    method = "PATCH";
    path = "/admin/jobs/" + job_id;
    body = R"({"acquired":true})";
  } else if (list->parsed()) {
    path = "/admin/analyses";
    std::string q;
    if (page != 0)
      q += "page=" + std::to_string(page);
    if (per_page != 0)
      q += (q.empty() ? "" : "&") + std::string{"per_page="} + std::to_string(per_page);
    if (!q.empty())
      path += "?" + q;
  } else if (get->parsed()) {
    path = "/admin/analyses";
    path += "/" + analysis_id;
  } else if (remove->parsed()) {
    method = "DELETE";
    path = "/admin/analyses";
    path += "/" + analysis_id;
  } else if (backup->parsed()) {
    std::error_code ec;
    auto absolute = std::filesystem::absolute(dest, ec);
    if (!ec)
      dest = absolute.lexically_normal().string();
    method = "POST";
    path = "/admin/backup";
    body = nlohmann::json{{"path", dest}}.dump();
  }
  // Ids travel in the path: refuse what would change it.
  for (auto* id : {&job_id, &analysis_id})
    if (id->find_first_of("/?#% \t\r\n") != std::string::npos) {
      err << "analysisd admin: '" << *id << "' is not an id\n";
      return 2;
    }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  auto answer = call(method, url + path, token, body, timeout);
  curl_global_cleanup();
  if (!answer.error.empty()) {
    err << "analysisd admin: cannot reach analysisd at " << url << ": " << answer.error << "\n";
    return 1;
  }
  if (answer.status < 200 || answer.status > 299) {
    err << "analysisd admin: " << method << " " << path << ": "
        << describe_error(answer.status, answer.body) << "\n";
    return 1;
  }
  if (answer.body.empty())
    return 0; // 204
  auto doc = nlohmann::json::parse(answer.body, nullptr, false);
  if (doc.is_discarded()) {
    out << answer.body << "\n";
    return 0;
  }
  if (acquire->parsed() && !whole && field.empty())
    field = "key";
  if (!field.empty()) {
    auto* at = field_at(doc, field);
    if (at == nullptr) {
      err << "analysisd admin: the answer has no field " << field << "\n";
      return 1;
    }
    if (at->is_string())
      out << at->get<std::string>() << "\n";
    else
      out << (pretty ? at->dump(2) : at->dump()) << "\n";
    return 0;
  }
  out << (pretty ? doc.dump(2) : doc.dump()) << "\n";
  return 0;
}

int run_offline_backup(const std::vector<std::string>& args,
                       const std::vector<std::string>& environment, std::ostream& out,
                       std::ostream& err) {
  CLI::App app{"Back up the data dir of a stopped analysisd into DEST, a directory that does not "
               "exist or is empty (hard links to the uploaded files where DEST is on the same "
               "file system). For a running server: analysisd admin backup --to DEST.",
               "analysisd backup"};
  app.set_help_flag("-h,--help", "print this help and exit");
  server_view view;
  std::string dest;
  bool pretty = false;
  app.add_option("--config", view.config, "the server's config file, for its data-dir")
    ->type_name("FILE");
  app.add_option("--data-dir", view.data_dir,
                 "the data dir (default: ANALYSISD_DATA_DIR, the config file's, else ./data)")
    ->type_name("DIR");
  app.add_option("--to,dest", dest, "the backup's directory")->required()->type_name("DEST");
  app.add_flag("--pretty", pretty, "indent the JSON report");
  if (int code = parse_or_exit(app, args, "backup", out, err); code >= 0)
    return code;
  server_config cfg;
  if (auto e = resolve_server(view, environment, cfg); !e.empty()) {
    err << "analysisd backup: " << e << "\n";
    return 2;
  }
  auto& st = posix_storage();
  auto fail = [&](const std::string& message) {
    err << "analysisd backup: " << message << "\n";
    return 1;
  };
  if (!st.is_directory(cfg.data_dir) || !st.is_directory(cfg.data_dir + "/state"))
    return fail(cfg.data_dir + " is not a data dir of analysisd (no state/ in it)");
  std::string lock_error;
  auto lock = data_dir_lock::acquire(cfg.data_dir, lock_error);
  if (!lock)
    return fail(lock_error + "; back up a running server with: analysisd admin backup --to DEST");
  int format = 0;
  if (auto e = read_data_dir_format(st, cfg.data_dir, format); !e.empty())
    return fail(e);
  std::string seq_error;
  auto upto = backup_job::next_journal_seq(st, cfg.data_dir, seq_error);
  if (upto == 0)
    return fail(seq_error);
  std::error_code ec;
  auto absolute = std::filesystem::absolute(dest, ec);
  if (!ec)
    dest = absolute.lexically_normal().string();
  backup_job job{cfg.data_dir, dest, st};
  backup_report report;
  backup_error e = job.open();
  if (!e)
    e = job.pin(upto);
  if (!e)
    e = job.finish(report);
  if (e) {
    auto message = e.fault == backup_fault::bad_path || e.fault == backup_fault::not_empty
                     ? dest + ": " + e.message
                     : e.message;
    if (e.message.find("journal damaged") != std::string::npos)
      message += " (start the server on the data dir once, which repairs a journal tail "
                 "that a crash cut, stop it, and back it up again)";
    return fail(message);
  }
  nlohmann::json answer = {{"path", report.path},         {"analyses", report.analyses},
                           {"files", report.files},       {"bytes", report.bytes},
                           {"linked", report.linked},     {"copied", report.copied},
                           {"missing", report.missing},   {"journal", report.journal_seq},
                           {"admin_token", report.admin_token}, {"seconds", report.seconds}};
  out << (pretty ? answer.dump(2) : answer.dump()) << "\n";
  return 0;
}

} // namespace analysisd
