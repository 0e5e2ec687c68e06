#pragma once

#include <caf/actor_system_config.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace analysisd {

/// analysisd's command line and config file, parsed by CAF's own option
/// parser (so `--config FILE` takes CAF's INI format with a `[global]`
/// section, and every CAF option works too).
class server_config : public caf::actor_system_config {
public:
  server_config();

  std::string listen = "127.0.0.1:9950";
  std::string data_dir = "./data";
  std::string admin_token_file;
  std::size_t threads = 2;                     ///< asio threads serving HTTP.
  std::size_t max_body_bytes = 4ull << 30;     ///< Largest request body (uploads).
  std::size_t max_json_bytes = 64ull << 20;    ///< Largest JSON body.
  std::size_t max_body_memory = 256ull << 20;  ///< Request body bytes held in memory, all connections.
  std::size_t max_connections = 512;           ///< Parallel connections.
  std::size_t read_timeout = 60;    ///< Seconds to receive a request's head, a body without a byte, or idle for the next request.
  std::size_t write_timeout = 120;  ///< Seconds to send a response.
  std::size_t handle_timeout = 600; ///< Seconds from a whole request to the start of its answer.
  std::size_t journal_rotate_bytes = 64ull << 20;
  std::size_t actor_idle_ms = 30000;           ///< Idle analysis actors retire after this.
  std::string log_file;                        ///< Empty: log to stderr.
  std::string log_level = "info";              ///< trace, debug, info, warning, error, off.
  std::string log_format = "text";             ///< text or json.
  std::string access_log = "on";               ///< on or off: one line per request at info.
  std::string metrics_listen;                  ///< HOST:PORT serving GET /metrics without credentials; empty: none.
  bool repair = false;                         ///< Quarantine damaged state instead of stopping.
  bool version = false;

  /// Rewrites analysisd's `--option value` (for every option of this config
  /// that is not a flag) and `--config FILE` into the `--option=value` and
  /// `--config-file=FILE` forms CAF's parser takes.
  std::vector<std::string> normalize_args(int argc, char** argv) const;
};

/// The largest --max-json-bytes: a JSON body becomes one journal record,
/// which must fit a frame (max_frame_payload) with room to spare.
constexpr std::size_t max_json_bytes_limit = 256ull << 20;

/// Splits `HOST:PORT` (the host may be `[v6]`); false if it is not one.
bool split_listen(const std::string& listen, std::string& host, std::uint16_t& port);

/// The admin token: ANALYSISD_ADMIN_TOKEN, else the contents of
/// `token_file`, else `<data_dir>/admin-token`, generated (mode 0600) on the
/// first start. Returns an empty string and sets `error` on failure; sets
/// `generated_at` to the path when it generated one.
std::string load_admin_token(const std::string& data_dir, const std::string& token_file,
                             std::string& error, std::string& source);

} // namespace analysisd
