#pragma once

#include <string>

namespace analysisd {

/// Writes one line `<timestamp> <level> <message>` to stderr (or the log
/// file) with a single write, so lines from different threads never
/// interleave. Thread-safe. Never pass a secret (a job key, the admin token)
/// to it.
void log_line(const char* level, const std::string& message);

/// Sends log lines to the file at `path` (appending, created with mode 0600)
/// from now on; called again, reopens it (after logrotate moved it, on
/// SIGHUP). Call it from one thread at a time; log_line may run meanwhile.
/// Returns an error message, and logging goes on where it went, on failure.
std::string open_log_file(const std::string& path);

inline void log_info(const std::string& message) {
  log_line("info", message);
}

inline void log_warning(const std::string& message) {
  log_line("warning", message);
}

inline void log_error(const std::string& message) {
  log_line("error", message);
}

} // namespace analysisd
