#pragma once

#include <string>

namespace analysisd {

/// Writes one line `<timestamp> <level> <message>` to stderr with a single
/// write, so lines from different threads never interleave. Thread-safe.
/// Never pass a secret (a job key, the admin token) to it.
void log_line(const char* level, const std::string& message);

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
