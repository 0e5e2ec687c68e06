#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace analysisd {

/// The process's log, on spdlog: one line per entry, `text` (`<timestamp>
/// <level> <message> key=value...`) or `json` (one object a line: ts, level,
/// msg and the entry's fields), to stderr or a file. A line is formatted by
/// the thread that logs it into a bounded buffer that one writer thread
/// writes out every 100 ms (at once for a warning or an error), so that no
/// caller ever waits for the disk (or a full pipe); when the buffer is full
/// new lines are dropped and counted (log_lines_dropped). Every function
/// here is thread-safe unless it says otherwise. Never log a secret (a job
/// key, the admin token).

enum class log_level { trace, debug, info, warning, error, off };

/// What `--log-level`, `--log-format` and `--log-file` said.
struct log_options {
  std::string level = "info";  ///< trace, debug, info, warning, error or off.
  std::string format = "text"; ///< text or json.
  std::string file;            ///< Empty: stderr.
};

/// The level named `name`; false if it names none.
bool parse_log_level(const std::string& name, log_level& out);

/// An error message if `opts` has a bad level or format, else empty. Opens nothing.
std::string check_log_options(const log_options& opts);

/// Applies `opts`: level, format, and where lines go (the file appended to,
/// created with mode 0600). Call from main before any other thread logs.
/// Returns false and sets `error` (and changes nothing) on failure. Until it
/// is called, lines go synchronously to stderr as text at level info.
bool init_logging(const log_options& opts, std::string& error);

/// Reopens the log file at `path` (after logrotate moved it, on SIGHUP).
/// Returns an error message, and logging goes on where it went, on failure.
std::string open_log_file(const std::string& path);

/// Writes out every buffered line and stops the writer thread; later lines
/// are written synchronously. Call at the end of main (again: nothing).
void shutdown_logging();

/// Whether a line at `level` would be written. Cheap: check it before
/// building an expensive message.
bool log_enabled(log_level level);

/// Lines dropped because the buffer was full, or their write failed.
std::uint64_t log_lines_dropped();

/// Writes one line at `level` with `message` as its text.
void log_at(log_level level, std::string_view message);

/// One log line with fields, built only if its level is enabled:
///   log_entry{log_level::info, "request"}.field("status", 200).write();
class log_entry {
public:
  log_entry(log_level level, std::string_view message);
  log_entry& field(std::string_view key, std::string_view value);
  log_entry& field(std::string_view key, const char* value) {
    return field(key, std::string_view{value});
  }
  log_entry& field(std::string_view key, std::uint64_t value);
  /// A number with `decimals` digits after the point.
  log_entry& field(std::string_view key, double value, int decimals);
  /// Writes the line (once).
  void write();

private:
  void append_key(std::string_view key); ///< `,"key":` or ` key=`.

  log_level level_;
  bool enabled_;
  bool json_ = false;
  std::string text_;
};

inline void log_debug(const std::string& message) {
  log_at(log_level::debug, message);
}

inline void log_info(const std::string& message) {
  log_at(log_level::info, message);
}

inline void log_warning(const std::string& message) {
  log_at(log_level::warning, message);
}

inline void log_error(const std::string& message) {
  log_at(log_level::error, message);
}

/// Appends `text` to `out` as a JSON string (quotes included): control
/// characters escaped, invalid UTF-8 replaced by U+FFFD.
void append_json_string(std::string& out, std::string_view text);

} // namespace analysisd
