#include "http/config.hpp"

#include "persistence/model.hpp"
#include "persistence/storage.hpp"

#include <caf/atom.hpp>
#include <caf/config_option_adder.hpp>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace analysisd {

server_config::server_config() {
  // Work sharing: idle scheduler threads wait on a condition variable instead
  // of polling every 50 us as work stealing does, which on a small machine
  // took up to 40% of the CPU that HTTP needed (bench/). Still overridable
  // with --scheduler.policy=stealing.
  set("scheduler.policy", caf::atom("sharing"));
  // Actors never block (disk work runs on detached actors), so half the
  // cores are enough for them and leave the rest to the HTTP threads: on 2
  // cores, one scheduler thread gave 1.2-1.3x the GETs and finalizes of two
  // (fewer hand-overs between threads; bench/).
  set("scheduler.max-threads",
      std::max<std::size_t>(1, std::thread::hardware_concurrency() / 2));
  opt_group{custom_options_, "global"}
    .add(listen, "listen", "HOST:PORT to serve HTTP on (default 127.0.0.1:9950)")
    .add(data_dir, "data-dir", "directory for the journal, snapshots and files (default ./data)")
    .add(admin_token_file, "admin-token-file", "file holding the admin token")
    .add(threads, "threads", "threads serving HTTP (default 2)")
    .add(max_body_bytes, "max-body-bytes", "largest accepted request body (default 4 GiB)")
    .add(max_json_bytes, "max-json-bytes",
         "largest accepted JSON body (default 64 MiB, at most 256 MiB)")
    .add(max_body_memory, "max-body-memory",
         "request body bytes held in memory across all connections, uploads on their way to "
         "disk and JSON bodies; over it, reading pauses (default 256 MiB)")
    .add(max_connections, "max-connections", "parallel connections (default 512)")
    .add(read_timeout, "read-timeout",
         "seconds to receive a request's head, to wait for the next byte of a body, or to "
         "wait idle for the next request on a kept-alive connection (default 60)")
    .add(write_timeout, "write-timeout", "seconds to send a response (default 120)")
    .add(handle_timeout, "handle-timeout",
         "seconds from a received request to the start of its answer (default 600)")
    .add(journal_rotate_bytes, "journal-rotate-bytes",
         "journal size that starts a snapshot (default 64 MiB)")
    .add(actor_idle_ms, "actor-idle-ms",
         "milliseconds after which an idle analysis actor hands its state back and quits "
         "(default 30000; 0: never)")
    .add(log_file, "log-file", "append log lines to this file instead of stderr (SIGHUP reopens it)")
    .add(log_level, "log-level", "trace, debug, info, warning, error or off (default info)")
    .add(log_format, "log-format",
         "text, or json: one object a line with ts, level, msg and fields (default text)")
    .add(access_log, "access-log", "on or off: one log line per request at level info (default on)")
    .add(metrics_listen, "metrics-listen",
         "HOST:PORT to serve GET /metrics on without credentials too (default: only on "
         "--listen, with the admin token)")
    .add(repair, "repair",
         "start even if the state is damaged: move what cannot be read to state/quarantine/")
    .add(version, "version", "print the version and exit");
}

std::vector<std::string> server_config::normalize_args(int argc, char** argv) const {
  // An option takes a value unless it is a flag; the option set knows which.
  auto valued = [&](const std::string& arg) {
    if (arg == "--config")
      return true;
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0)
      return false;
    auto opt = custom_options_.cli_long_name_lookup(caf::string_view{arg}.substr(2));
    return opt != nullptr && !opt->is_flag();
  };
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (valued(arg) && i + 1 < argc)
      arg += "=" + std::string{argv[++i]};
    if (arg.rfind("--config=", 0) == 0)
      arg = "--config-file=" + arg.substr(9);
    out.push_back(std::move(arg));
  }
  return out;
}

bool split_listen(const std::string& listen, std::string& host, std::uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
    return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  auto digits = listen.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  auto p = std::stoul(digits);
  if (p > 65535)
    return false;
  port = static_cast<std::uint16_t>(p);
  return true;
}

namespace {

std::string trim(std::string s) {
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!s.empty() && is_space(s.back()))
    s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i]))
    ++i;
  return s.substr(i);
}

} // namespace

std::string load_admin_token(const std::string& data_dir, const std::string& token_file,
                             std::string& error, std::string& source) {
  auto& st = posix_storage();
  if (const char* env = std::getenv("ANALYSISD_ADMIN_TOKEN"); env != nullptr && *env != '\0') {
    source = "the environment variable ANALYSISD_ADMIN_TOKEN";
    return trim(env);
  }
  auto read_token = [&](const std::string& path) -> std::string {
    std::string text;
    if (auto ec = st.read_all(path, text)) {
      error = "cannot read the admin token file " + path + ": " + ec.message();
      return {};
    }
    text = trim(text);
    if (text.empty())
      error = "the admin token file " + path + " is empty";
    return text;
  };
  if (!token_file.empty()) {
    source = token_file;
    return read_token(token_file);
  }
  auto path = data_dir + "/admin-token";
  source = path;
  if (st.exists(path))
    return read_token(path);
  auto token = random_hex(32);
  std::error_code ec = write_new_file(st, path, token + "\n");
  if (!ec)
    ec = st.sync_dir(data_dir);
  if (ec) {
    error = "cannot write the admin token to " + path + ": " + ec.message();
    return {};
  }
  source = path + " (generated)";
  return token;
}

} // namespace analysisd
