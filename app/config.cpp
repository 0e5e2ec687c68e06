#include "app/config.hpp"

#include "app/cpu_budget.hpp"

#include "actors/node_protocol.hpp"
#include "actors/remote_protocol.hpp"
#include "persistence/model.hpp"
#include "persistence/storage.hpp"

#include <CLI/CLI.hpp>
#include <caf/atom.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>

namespace analysisd {

std::string trim(std::string s) {
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!s.empty() && is_space(s.back()))
    s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i]))
    ++i;
  return s.substr(i);
}

namespace {

constexpr const char* env_prefix = "ANALYSISD_";
constexpr const char* caf_prefix = "--caf.";

// ANALYSISD_MAX_BODY_BYTES for max-body-bytes.
std::string env_name(const std::string& option) {
  std::string name = env_prefix;
  for (char c : option)
    name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

// The command line's options, bound to `c`. `version` is set by --version.
std::unique_ptr<CLI::App> make_app(server_config& c, bool& version) {
  auto app = std::make_unique<CLI::App>(
    "analysisd serves Virtool's job-facing Analyses API: jobs read their analysis, upload "
    "its files and finalize it; operators create analyses and issue job keys.",
    "analysisd");
  // The sources are merged into one argument list, the file's first and the
  // flags last: the last value of an option wins.
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app->set_help_flag("-h,--help", "print this help and exit");
  // The validators describe themselves in --help after the type name; the
  // options' own help says what they take instead.
  auto size = CLI::AsSizeValue(false).description(""); // 4GiB, 64MiB, 256k (KiB) or bytes
  auto positive =
    CLI::Range(std::size_t{1}, std::numeric_limits<std::size_t>::max()).description("");
  // Durations up to a year: beyond, a deadline computed from now overflows.
  constexpr std::size_t year_s = 365ull * 24 * 3600;
  auto seconds = CLI::Range(std::size_t{1}, year_s).description("");
  CLI::Validator listen_check(
    [](std::string& v) -> std::string {
      std::string host;
      std::uint16_t port = 0;
      return split_listen(v, host, port) ? "" : "takes HOST:PORT, not '" + v + "'";
    },
    "");
  auto one_of = [](std::vector<std::string> values) {
    return CLI::Validator(
      [values](std::string& v) -> std::string {
        if (std::find(values.begin(), values.end(), v) != values.end())
          return "";
        std::string list;
        for (auto& x : values)
          list += (list.empty() ? "" : ", ") + x;
        return "takes one of " + list + ", not '" + v + "'";
      },
      "");
  };
  // CLI11 reads "-5" as a huge unsigned number.
  CLI::Validator whole(
    [](std::string& v) -> std::string {
      return !v.empty() && v.find_first_not_of("0123456789") == std::string::npos
               ? ""
               : "takes a whole number, not '" + v + "'";
    },
    "");

  app->add_option("--config", c.config_file,
                  "read options from FILE: `key = value` lines, keys named as the options "
                  "(e.g. `data-dir = \"/var/lib/analysisd\"`); flags and ANALYSISD_* variables "
                  "win over it. No file is read unless named.")
    ->type_name("FILE");
  app->add_option("--listen", c.listen, "HOST:PORT to serve HTTP on (default 127.0.0.1:9950)")
    ->type_name("HOST:PORT")
    ->check(listen_check);
  app->add_option("--data-dir", c.data_dir,
                  "directory for the journal, snapshots and files (default ./data)")
    ->type_name("DIR");
  app->add_option("--admin-token-file", c.admin_token_file,
                  "file holding the admin token (ANALYSISD_ADMIN_TOKEN, the token itself, wins "
                  "over it; default DIR/admin-token, generated on the first start)")
    ->type_name("FILE");
  app->add_option("--threads", c.threads,
                  "threads serving HTTP (default 2, or 1 when the process may use only one CPU: "
                  "its affinity, or its cgroup's CPU quota)")
    ->type_name("N")
    ->check(whole)
    ->check(CLI::Range(std::size_t{1}, std::size_t{1024}).description(""));
  app->add_option("--max-body-bytes", c.max_body_bytes,
                  "largest accepted request body, an upload (default 4GiB)")
    ->type_name("SIZE")
    ->transform(size)
    ->check(whole)
    ->check(positive);
  app->add_option("--max-json-bytes", c.max_json_bytes,
                  "largest accepted JSON body (default 64MiB, at most 256MiB: a JSON body "
                  "becomes one journal record)")
    ->type_name("SIZE")
    ->transform(size)
    ->check(whole)
    ->check(CLI::Range(std::size_t{1}, max_json_bytes_limit).description(""));
  app->add_option("--max-body-memory", c.max_body_memory,
                  "request body bytes held in memory across all connections, uploads on "
                  "their way to disk and JSON bodies; over it, reading pauses (default 256MiB)")
    ->type_name("SIZE")
    ->transform(size)
    ->check(whole)
    ->check(positive);
  app->add_option("--max-connections", c.max_connections, "parallel connections (default 512)")
    ->type_name("N")
    ->check(whole)
    ->check(positive);
  app->add_option("--read-timeout", c.read_timeout,
                  "seconds to receive a request's head, to wait for the next byte of a body, "
                  "or to wait idle for the next request on a kept-alive connection (default 60)")
    ->type_name("SECONDS")
    ->check(whole)
    ->check(seconds);
  app->add_option("--write-timeout", c.write_timeout, "seconds to send a response (default 120)")
    ->type_name("SECONDS")
    ->check(whole)
    ->check(seconds);
  app->add_option("--handle-timeout", c.handle_timeout,
                  "seconds from a received request to the start of its answer (default 600)")
    ->type_name("SECONDS")
    ->check(whole)
    ->check(seconds);
  app->add_option("--drain-timeout", c.drain_timeout,
                  "seconds to finish the requests in flight at SIGTERM before closing them "
                  "(default 25: within Kubernetes' 30 s grace period, with time left for the "
                  "final snapshot)")
    ->type_name("SECONDS")
    ->check(whole)
    ->check(CLI::Range(std::size_t{0}, year_s).description(""));
  app->add_option("--journal-rotate-bytes", c.journal_rotate_bytes,
                  "journal size that starts a snapshot (default 64MiB)")
    ->type_name("SIZE")
    ->transform(size)
    ->check(whole)
    ->check(positive);
  app->add_option("--actor-idle-ms", c.actor_idle_ms,
                  "milliseconds after which an idle analysis actor hands its state back and "
                  "quits (default 30000; 0: never)")
    ->type_name("MS")
    ->check(whole)
    ->check(CLI::Range(std::size_t{0}, year_s * 1000).description(""));
  app->add_option("--log-file", c.log_file,
                  "append log lines to FILE instead of stderr (SIGHUP reopens it)")
    ->type_name("FILE");
  app->add_option("--log-level", c.log_level, "trace, debug, info, warning, error or off (default info)")
    ->type_name("LEVEL")
    ->check(one_of({"trace", "debug", "info", "warning", "error", "off"}));
  app->add_option("--log-format", c.log_format,
                  "text, or json: one object a line with ts, level, msg and fields (default text)")
    ->type_name("FORMAT")
    ->check(one_of({"text", "json"}));
  app->add_option("--access-log", c.access_log,
                  "on or off: one log line per request at level info (default on)")
    ->type_name("on|off")
    ->check(one_of({"on", "off"}));
  app->add_option("--metrics-listen", c.metrics_listen,
                  "HOST:PORT to serve GET /metrics on without credentials too (default: only on "
                  "--listen, with the admin token)")
    ->type_name("HOST:PORT")
    ->check(listen_check);
  app->add_option("--remote-listen", c.remote_listen,
                  "HOST:PORT to publish the CAF interface analysisd.registry.v1 on, for other CAF "
                  "services (default: none; see examples/remote_client.cpp)")
    ->type_name("HOST:PORT")
    ->check(listen_check);
  app->add_option("--remote-tls-certificate", c.remote_tls_certificate,
                  "PEM certificate (chain) of --remote-listen: with it and --remote-tls-key, "
                  "remote clients connect over TLS")
    ->type_name("FILE");
  app->add_option("--remote-tls-key", c.remote_tls_key,
                  "PEM private key of --remote-tls-certificate")
    ->type_name("FILE");
  app->add_option("--remote-tls-ca", c.remote_tls_ca,
                  "PEM CA certificates: remote clients must present a certificate they signed")
    ->type_name("FILE");
  app->add_option("--cluster-postgres", c.cluster_postgres,
                  "PostgreSQL connection string (libpq): runs this node in a cluster whose "
                  "journal, leases and jobs live there, with the uploaded files in --data-dir "
                  "on a volume every node mounts (default: none, a single node; prefer "
                  "ANALYSISD_CLUSTER_POSTGRES_FILE for a password)")
    ->type_name("CONNINFO");
  app->add_option("--node-name", c.node_name, "this node's name in the cluster (default: the host name)")
    ->type_name("NAME");
  app->add_option("--cluster-listen", c.cluster_listen,
                  "HOST:PORT to publish the inter-node interface analysisd.node.v2 on (cluster mode)")
    ->type_name("HOST:PORT")
    ->check(listen_check);
  app->add_option("--cluster-advertise", c.cluster_advertise,
                  "HOST:PORT where the other nodes reach --cluster-listen (default: the same)")
    ->type_name("HOST:PORT")
    ->check(listen_check);
  app->add_option("--shards", c.shards,
                  "shards the analyses fall into; every node of a cluster must agree (default 256)")
    ->type_name("N")
    ->check(whole)
    ->check(CLI::Range(std::size_t{1}, std::size_t{65536}).description(""));
  app->add_option("--heartbeat-ms", c.heartbeat_ms,
                  "milliseconds between heartbeats and lease renewals (default 500)")
    ->type_name("MS")
    ->check(whole)
    ->check(CLI::Range(std::size_t{10}, std::size_t{60000}).description(""));
  app->add_option("--lease-ttl-ms", c.lease_ttl_ms,
                  "milliseconds a shard lease and a membership last without renewal; a node cut "
                  "off from PostgreSQL stops serving this long after its last renewal "
                  "(default 3000, at least 3 heartbeats)")
    ->type_name("MS")
    ->check(whole)
    ->check(CLI::Range(std::size_t{30}, std::size_t{600000}).description(""));
  app->add_option("--stable-after-ms", c.stable_after_ms,
                  "milliseconds membership must stay unchanged before shards move to a new "
                  "owner (default 1000)")
    ->type_name("MS")
    ->check(whole)
    ->check(CLI::Range(std::size_t{0}, std::size_t{600000}).description(""));
  app->add_option("--max-handoffs", c.max_handoffs,
                  "held shards a node hands to their new owner per heartbeat (default 8)")
    ->type_name("N")
    ->check(whole)
    ->check(positive);
  app->add_option("--peer-timeout-ms", c.peer_timeout_ms,
                  "milliseconds a request forwarded to another node may take (default 4000)")
    ->type_name("MS")
    ->check(whole)
    ->check(CLI::Range(std::size_t{100}, std::size_t{600000}).description(""));
  // At most 2 s: a node that leaves releases its leases after 3 s at the
  // latest, and every read lease it granted must have ended by then.
  app->add_option("--read-lease-ms", c.read_lease_ms,
                  "milliseconds a node may answer a job's GETs of an analysis another node "
                  "owns from a copy, unless the owner revokes it first; 0: always ask the "
                  "owner (default 1000, at most 2000)")
    ->type_name("MS")
    ->check(whole)
    ->check(CLI::Range(std::size_t{0}, std::size_t{2000}).description(""));
  app->add_flag("--repair", c.repair,
                "start even if the state is damaged: move what cannot be read to "
                "state/quarantine/");
  app->add_flag("--version", version, "print the version, commit and build, and exit");
  app->footer(
    "Every option can also come from the environment as ANALYSISD_<OPTION> (e.g.\n"
    "ANALYSISD_DATA_DIR, ANALYSISD_MAX_BODY_BYTES=1GiB), or from a file named by\n"
    "ANALYSISD_<OPTION>_FILE; ANALYSISD_CONFIG names the config file and\n"
    "ANALYSISD_ADMIN_TOKEN is the admin token itself. Flags win over the\n"
    "environment, which wins over the config file.\n"
    "\n"
    "CAF's own tuning options pass through with the prefix caf.: e.g.\n"
    "--caf.scheduler.max-threads=4 or --caf.scheduler.policy=stealing on the command\n"
    "line, `caf.scheduler.max-threads = 4` (or a [caf.scheduler] section) in the\n"
    "file. The defaults are the sharing policy and half the cores.");
  return app;
}

// The long names of the options that take values from the environment and the file.
std::vector<std::string> option_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    auto& lnames = opt->get_lnames();
    if (lnames.empty() || lnames.front() == "help" || lnames.front() == "version")
      continue;
    names.push_back(lnames.front());
  }
  return names;
}

// Parses `args` into `c`; returns CLI11's message on an error ("" if none).
std::string try_parse(const std::vector<std::string>& args, server_config& c) {
  bool version = false;
  auto app = make_app(c, version);
  std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 takes them backwards
  try {
    app->parse(reversed);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "";
}

std::string read_value_file(const std::string& path, std::string& value) {
  std::string text;
  if (auto ec = posix_storage().read_all(path, text))
    return "cannot read " + path + ": " + ec.message();
  value = trim(text);
  return "";
}

struct error_exit {
  std::string message;
};

parse_outcome fail(const std::string& message) {
  parse_outcome o;
  o.exit_code = 2;
  o.err = "analysisd: " + message + "\n";
  return o;
}

// `--caf.NAME=VALUE` (or `--caf.NAME VALUE`) arguments move to `caf` as
// `--NAME=VALUE`; the rest stay in `args`.
void take_caf_args(std::vector<std::string>& args, std::vector<std::string>& caf) {
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto& a = args[i];
    if (a.rfind(caf_prefix, 0) != 0) {
      rest.push_back(a);
      continue;
    }
    auto arg = "--" + a.substr(std::string{caf_prefix}.size());
    if (arg.find('=') == std::string::npos && i + 1 < args.size()
        && args[i + 1].rfind("--", 0) != 0)
      arg += "=" + args[++i];
    caf.push_back(arg);
  }
  args = std::move(rest);
}

// The environment's options as arguments; throws error_exit.
std::vector<std::string> environment_args(const std::vector<std::string>& names,
                                          const std::vector<std::string>& environment,
                                          server_config& cfg) {
  std::map<std::string, std::string> env;
  for (auto& entry : environment) {
    auto eq = entry.find('=');
    if (eq != std::string::npos && entry.rfind(env_prefix, 0) == 0)
      env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  std::set<std::string> known{"ANALYSISD_ADMIN_TOKEN"};
  std::vector<std::string> args;
  for (auto& name : names) {
    auto var = env_name(name);
    auto file_var = var + "_FILE";
    known.insert(var);
    known.insert(file_var);
    auto value = env.find(var);
    auto file = env.find(file_var);
    if (value != env.end() && file != env.end())
      throw error_exit{"set " + var + " or " + file_var + ", not both"};
    std::string v;
    if (value != env.end()) {
      v = value->second;
    } else if (file != env.end()) {
      if (auto err = read_value_file(file->second, v); !err.empty())
        throw error_exit{"environment variable " + file_var + ": " + err};
    } else {
      continue;
    }
    auto arg = "--" + name + "=" + v;
    server_config scratch;
    if (auto err = try_parse({arg}, scratch); !err.empty())
      throw error_exit{"environment variable " + (value != env.end() ? var : file_var) + ": "
                       + err};
    args.push_back(arg);
  }
  if (auto token = env.find("ANALYSISD_ADMIN_TOKEN"); token != env.end()) {
    cfg.admin_token = trim(token->second);
    if (cfg.admin_token.empty())
      throw error_exit{"environment variable ANALYSISD_ADMIN_TOKEN is empty"};
  }
  for (auto& [var, value] : env)
    if (known.count(var) == 0)
      cfg.unknown_environment.push_back(var);
  return args;
}

// The config file's options as arguments (its CAF options go to `caf`);
// throws error_exit.
std::vector<std::string> file_args(const std::string& path, const std::vector<std::string>& names,
                                   std::vector<std::string>& caf) {
  std::string text;
  if (auto ec = posix_storage().read_all(path, text))
    throw error_exit{"cannot read the config file " + path + ": " + ec.message()};
  std::istringstream in{text};
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML{}.from_config(in);
  } catch (const CLI::Error& e) {
    throw error_exit{path + ": " + e.what()};
  }
  std::set<std::string> known(names.begin(), names.end());
  known.erase("config");
  std::vector<std::string> args;
  for (auto& item : items) {
    if (item.name == "--" || item.name == "++") // the end or start of a section
      continue;
    auto parents = item.parents;
    // 0.1's config files were CAF INI files with a [global] section.
    if (!parents.empty() && parents.front() == "global")
      parents.erase(parents.begin());
    auto key = item.fullname();
    if (parents != item.parents) {
      auto tail = parents;
      tail.push_back(item.name);
      key = CLI::detail::join(tail, ".");
    }
    if (item.inputs.size() != 1)
      throw error_exit{path + ": key '" + key + "' takes one value, not "
                       + std::to_string(item.inputs.size())
                       + " (quote a value with spaces or commas)"};
    auto& value = item.inputs.front();
    if (!parents.empty() && parents.front() == "caf") {
      if (key.size() <= 4)
        throw error_exit{path + ": key '" + key + "' names no CAF option"};
      caf.push_back("--" + key.substr(4) + "=" + value);
      continue;
    }
    if (known.count(key) == 0) {
      auto hint = key;
      std::replace(hint.begin(), hint.end(), '_', '-');
      throw error_exit{path + ": unknown key '" + key + "'"
                       + (known.count(hint) != 0 ? " (did you mean '" + hint + "'?)" : "")};
    }
    auto arg = "--" + key + "=" + value;
    server_config scratch;
    if (auto err = try_parse({arg}, scratch); !err.empty())
      throw error_exit{path + ": key '" + key + "': " + err};
    args.push_back(arg);
  }
  return args;
}

// The --remote-* options that only make sense together; "" if they fit.
std::string check_remote(const server_config& cfg) {
  bool tls = !cfg.remote_tls_certificate.empty() || !cfg.remote_tls_key.empty()
             || !cfg.remote_tls_ca.empty();
  if (tls && cfg.remote_listen.empty())
    return "the --remote-tls-* options need --remote-listen";
  if (cfg.remote_tls_certificate.empty() != cfg.remote_tls_key.empty())
    return "--remote-tls-certificate and --remote-tls-key go together";
  if (!cfg.remote_tls_ca.empty() && cfg.remote_tls_certificate.empty())
    return "--remote-tls-ca needs --remote-tls-certificate and --remote-tls-key";
  for (auto* path : {&cfg.remote_tls_certificate, &cfg.remote_tls_key, &cfg.remote_tls_ca}) {
    std::string text;
    if (path->empty())
      continue;
    if (auto ec = posix_storage().read_all(*path, text))
      return "cannot read " + *path + ": " + ec.message();
  }
  return "";
}

// The cluster options that only make sense together; "" if they fit.
std::string check_cluster(const server_config& cfg) {
  if (cfg.cluster_postgres.empty()) {
    if (!cfg.cluster_listen.empty() || !cfg.cluster_advertise.empty())
      return "the --cluster-* options need --cluster-postgres";
    return "";
  }
  if (cfg.cluster_listen.empty())
    return "cluster mode (--cluster-postgres) needs --cluster-listen";
  if (cfg.admin_token.empty() && cfg.admin_token_file.empty())
    return "cluster mode needs the admin token every node shares: ANALYSISD_ADMIN_TOKEN or "
           "--admin-token-file";
  if (cfg.lease_ttl_ms < 3 * cfg.heartbeat_ms)
    return "--lease-ttl-ms must be at least 3 heartbeats (--heartbeat-ms)";
  if (cfg.repair)
    return "--repair is for a single node's data dir, not cluster mode";
  return "";
}

} // namespace

std::string help_text() {
  server_config c;
  bool version = false;
  return make_app(c, version)->help();
}

parse_outcome parse_command_line(const std::vector<std::string>& args,
                                 const std::vector<std::string>& environment,
                                 server_config& cfg) {
  cfg = server_config{};
  auto cli = args;
  take_caf_args(cli, cfg.caf_args);
  // The command line alone first: --help and --version answer at once, and
  // its errors are the command line's.
  server_config from_cli;
  bool version = false;
  {
    auto app = make_app(from_cli, version);
    std::vector<std::string> reversed(cli.rbegin(), cli.rend());
    try {
      app->parse(reversed);
    } catch (const CLI::CallForHelp&) {
      parse_outcome o;
      o.out = app->help();
      return o;
    } catch (const CLI::ParseError& e) {
      return fail(std::string{e.what()} + "\n(try --help)");
    }
    if (version) {
      parse_outcome o;
      o.version = true;
      return o;
    }
  }
  try {
    bool unused = false;
    auto names = option_names(*make_app(cfg, unused));
    auto env = environment_args(names, environment, cfg);
    auto config_file = from_cli.config_file;
    if (config_file.empty())
      for (auto& a : env)
        if (a.rfind("--config=", 0) == 0)
          config_file = a.substr(9);
    std::vector<std::string> caf_from_file;
    std::vector<std::string> all;
    if (!config_file.empty())
      all = file_args(config_file, names, caf_from_file);
    all.insert(all.end(), env.begin(), env.end());
    all.insert(all.end(), cli.begin(), cli.end());
    cfg.caf_args.insert(cfg.caf_args.begin(), caf_from_file.begin(), caf_from_file.end());
    // Sets only what the sources name: the admin token, the unknown
    // variables and CAF's options, set above, stay.
    if (auto err = try_parse(all, cfg); !err.empty())
      return fail(err + "\n(try --help)");
  } catch (const error_exit& e) {
    return fail(e.message);
  }
  if (auto err = check_remote(cfg); !err.empty())
    return fail(err);
  if (auto err = check_cluster(cfg); !err.empty())
    return fail(err);
  if (!cfg.caf_args.empty()) {
    caf_config probe;
    probe.enable_remote(cfg);
    probe.enable_cluster(cfg);
    if (auto err = probe.apply(cfg.caf_args); !err.empty())
      return fail("a CAF option (caf.*): " + err);
  }
  parse_outcome o;
  o.run = true;
  return o;
}

caf_config::caf_config() {
  // Work sharing: idle scheduler threads wait on a condition variable instead
  // of polling every 50 us as work stealing does, which on a small machine
  // took up to 40% of the CPU that HTTP needed (bench/). Still overridable
  // with --caf.scheduler.policy=stealing.
  set("scheduler.policy", caf::atom("sharing"));
  // Actors never block (disk work runs on detached actors), so half the
  // CPUs are enough for them and leave the rest to the HTTP threads: on 2
  // cores, one scheduler thread gave 1.2-1.3x the GETs and finalizes of two
  // (fewer hand-overs between threads; bench/). The CPUs this process may
  // use, not the host's: a container's quota counts.
  set("scheduler.max-threads", default_scheduler_threads(process_cpu_budget()));
}

void caf_config::enable_remote(const server_config& cfg) {
  if (cfg.remote_listen.empty())
    return;
  load<caf::io::middleman>();
  if (!cfg.remote_tls_certificate.empty()) {
    load<caf::openssl::manager>();
    openssl_certificate = cfg.remote_tls_certificate;
    openssl_key = cfg.remote_tls_key;
    openssl_cafile = cfg.remote_tls_ca;
  }
  set("middleman.app-identifiers", std::vector<std::string>{remote_interface_v1});
  set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds(1)});
  set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(5)});
}

void caf_config::enable_cluster(const server_config& cfg) {
  if (cfg.cluster_postgres.empty())
    return;
  if (cfg.remote_listen.empty())
    load<caf::io::middleman>();
  std::vector<std::string> ids{node_interface_v2};
  if (!cfg.remote_listen.empty())
    ids.emplace_back(remote_interface_v1);
  set("middleman.app-identifiers", ids);
  // A silent peer is noticed within 2 s: its requests fail then, before the
  // peer timeout, and the router tries the view's next word on it.
  set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(500)});
  set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(2)});
}

std::string caf_config::apply(const std::vector<std::string>& caf_args) {
  std::istringstream no_file; // never caf-application.ini
  if (auto err = parse(caf_args, no_file))
    return to_string(err);
  if (cli_helptext_printed)
    return "--caf.help is not an option";
  if (!remainder.empty())
    return "unexpected '" + remainder.front() + "'";
  return "";
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

std::string load_admin_token(const server_config& cfg, std::string& error, std::string& source) {
  auto& st = posix_storage();
  if (!cfg.admin_token.empty()) {
    source = "the environment variable ANALYSISD_ADMIN_TOKEN";
    return cfg.admin_token;
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
  if (!cfg.admin_token_file.empty()) {
    source = cfg.admin_token_file;
    return read_token(cfg.admin_token_file);
  }
  auto path = cfg.data_dir + "/admin-token";
  source = path;
  if (st.exists(path))
    return read_token(path);
  auto token = random_hex(32);
  std::error_code ec = write_new_file(st, path, token + "\n");
  if (!ec)
    ec = st.sync_dir(cfg.data_dir);
  if (ec) {
    error = "cannot write the admin token to " + path + ": " + ec.message();
    return {};
  }
  source = path + " (generated)";
  return token;
}

} // namespace analysisd
