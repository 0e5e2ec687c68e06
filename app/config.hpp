#pragma once

// The server's configuration: command-line flags, then ANALYSISD_*
// environment variables, then a config file (`--config FILE`), parsed with
// CLI11. Strict: an unknown option or key, a bad value or an unreadable file
// is an error that names where it came from.

#include <caf/actor_system_config.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace analysisd {

/// Every option of the server, with its default.
struct server_config {
  std::string config_file;                     ///< --config: the file read, if any.
  std::string listen = "127.0.0.1:9950";
  std::string data_dir = "./data";
  std::string admin_token_file;
  /// ANALYSISD_ADMIN_TOKEN (never a flag or a file key: a secret on a command
  /// line is visible to every user). SPEC.md: it wins over --admin-token-file.
  std::string admin_token;
  std::size_t threads = 0;                     ///< asio threads serving HTTP (0: default_http_threads).
  std::size_t max_body_bytes = 4ull << 30;     ///< Largest request body (uploads).
  std::size_t max_json_bytes = 64ull << 20;    ///< Largest JSON body.
  std::size_t max_body_memory = 256ull << 20;  ///< Request body bytes held in memory, all connections.
  std::size_t max_connections = 512;           ///< Parallel connections.
  std::size_t read_timeout = 60;    ///< Seconds to receive a request's head, a body without a byte, or idle for the next request.
  std::size_t write_timeout = 120;  ///< Seconds to send a response.
  std::size_t handle_timeout = 600; ///< Seconds from a whole request to the start of its answer.
  std::size_t drain_timeout = 25;   ///< Seconds to finish requests in flight at SIGTERM.
  std::size_t journal_rotate_bytes = 64ull << 20;
  std::size_t actor_idle_ms = 30000;           ///< Idle analysis actors retire after this.
  std::string log_file;                        ///< Empty: log to stderr.
  std::string log_level = "info";
  std::string log_format = "text";
  std::string access_log = "on";               ///< on or off: one line per request at info.
  std::string metrics_listen;                  ///< HOST:PORT serving GET /metrics without credentials; empty: none.
  std::string remote_listen;                   ///< HOST:PORT publishing remote_registry_v1 over CAF; empty: none.
  std::string remote_tls_certificate;          ///< With remote_tls_key: TLS for remote clients.
  std::string remote_tls_key;
  std::string remote_tls_ca;                   ///< CAs that sign remote clients' certificates; empty: no client certificates.
  bool repair = false;                         ///< Quarantine damaged state instead of stopping.
  // Cluster mode (SPEC.md, "Cluster mode"): on with cluster_postgres.
  std::string cluster_postgres;                ///< libpq connection string; empty: single node.
  std::string node_name;                       ///< Empty: the host name.
  std::string cluster_listen;                  ///< HOST:PORT publishing the inter-node interface.
  std::string cluster_advertise;               ///< HOST:PORT peers connect to; empty: cluster_listen.
  std::size_t shards = 256;                    ///< Every node of a cluster must agree.
  std::size_t heartbeat_ms = 500;
  std::size_t lease_ttl_ms = 3000;
  std::size_t stable_after_ms = 1000;
  std::size_t max_handoffs = 8;
  std::size_t peer_timeout_ms = 4000;
  std::size_t read_lease_ms = 1000;            ///< Longest read lease granted; 0: none.
  /// CAF's own options, `--caf.NAME=VALUE` on the command line or `caf.NAME`
  /// in the file, as CAF takes them: `--NAME=VALUE`.
  std::vector<std::string> caf_args;
  /// ANALYSISD_* environment variables that name no option: worth a warning.
  std::vector<std::string> unknown_environment;
};

/// What parse_command_line decided.
struct parse_outcome {
  bool run = false;  ///< Start the server with the parsed configuration.
  int exit_code = 0; ///< Otherwise exit with this code...
  bool version = false; ///< ...after printing the version (--version)...
  std::string out;   ///< ...and this on stdout (--help)...
  std::string err;   ///< ...and this on stderr (an error, ending in a newline).
};

/// Parses `args` (without the program name) and `environment` (`NAME=VALUE`
/// entries, as in `environ`) into `cfg`. Precedence: flags, then
/// `ANALYSISD_<OPTION>` (or `ANALYSISD_<OPTION>_FILE`, a file holding the
/// value), then the file named by --config (or ANALYSISD_CONFIG). Errors exit 2.
parse_outcome parse_command_line(const std::vector<std::string>& args,
                                 const std::vector<std::string>& environment, server_config& cfg);

/// The `--help` text.
std::string help_text();

/// CAF's configuration for analysisd: the scheduler defaults that suit it
/// (overridable with --caf.scheduler.*).
class caf_config : public caf::actor_system_config {
public:
  caf_config();
  /// For --remote-listen: loads CAF's middleman (and its OpenSSL module with
  /// the --remote-tls-* files), and sets the app identifier of
  /// remote_registry_v1 and the middleman's heartbeat (every second) and
  /// connection timeout (5 s, then a silent peer counts as gone). Call
  /// before apply(), whose middleman.* options win, and before the actor
  /// system is made. Does nothing without cfg.remote_listen.
  void enable_remote(const server_config& cfg);
  /// For cluster mode (cfg.cluster_postgres): loads CAF's middleman with the
  /// inter-node interface's app identifier (next to remote_registry_v1's
  /// when --remote-listen is set too), heartbeats every 500 ms and a
  /// connection timeout of 2 s. Call after enable_remote().
  void enable_cluster(const server_config& cfg);
  /// Applies `caf_args` (see server_config); returns an error message or "".
  std::string apply(const std::vector<std::string>& caf_args);
};

/// The largest --max-json-bytes: a JSON body becomes one journal record,
/// which must fit a frame (max_frame_payload) with room to spare.
constexpr std::size_t max_json_bytes_limit = 256ull << 20;

/// `s` without its leading and trailing spaces, tabs, CRs and LFs.
std::string trim(std::string s);

/// Splits `HOST:PORT` (the host may be `[v6]`); false if it is not one.
bool split_listen(const std::string& listen, std::string& host, std::uint16_t& port);

/// The admin token: cfg.admin_token if set, else the contents of
/// cfg.admin_token_file, else `<data_dir>/admin-token`, generated (mode
/// 0600) on the first start. Returns an empty string and sets `error` on
/// failure; `source` says where the token came from.
std::string load_admin_token(const server_config& cfg, std::string& error, std::string& source);

} // namespace analysisd
