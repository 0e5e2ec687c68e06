#include "persistence/log.hpp"

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace analysisd {

namespace {

// Lines dropped by every sink the process had.
std::atomic<std::uint64_t> lines_dropped{0};

// How long a line waits for the writer thread at most (warnings and errors
// wake it at once, and so do 64 KiB of waiting lines).
constexpr auto flush_interval = std::chrono::milliseconds(100);
constexpr std::size_t wake_bytes = 64u << 10;
// Bytes of lines waiting for the writer thread; beyond it new lines are
// dropped and counted (the disk, or the pipe to journald, is stuck).
constexpr std::size_t max_pending = 4u << 20;

// Writes whole lines to a descriptor. Until start_writer (and after
// stop_writer) each line is written at once, by the thread that logs it.
// With the writer thread, a line is formatted by the thread that logs it and
// appended to a buffer; the writer thread takes the whole buffer and writes
// it with one write(2). A caller never waits for the disk and never wakes
// another thread for an ordinary line: a GET's line through spdlog's async
// queue, which signals its thread for every line, cost a sixth of the GET.
// Lines never interleave with what other processes append to the same
// file. The descriptor is replaced in place with dup2 when the file is
// reopened, so a line being written never meets a closed or reused
// descriptor.
class fd_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit fd_sink(int fd) : fd_(fd) {
  }

  ~fd_sink() override {
    stop_writer();
  }

  /// Main thread only, as stop_writer.
  void start_writer() {
    std::lock_guard<std::mutex> guard{mutex_};
    if (threaded_)
      return;
    stop_ = false;
    writer_ = std::thread{[this] { write_loop(); }}; // waits for mutex_
    threaded_ = true;
  }

  /// Stops the writer thread and writes out what waits; later lines are
  /// written at once.
  void stop_writer() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (!threaded_)
        return;
      stop_ = true;
    }
    wake_.notify_one();
    writer_.join();
    std::lock_guard<std::mutex> guard{mutex_};
    threaded_ = false;
    write_all(pending_); // what was logged after the writer's last turn
    pending_.clear();
  }

  std::string reopen(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
      return "cannot open the log file " + path + ": " + std::strerror(errno);
    std::lock_guard<std::mutex> writing{write_mutex_};
    std::string before;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      before.swap(pending_);
    }
    write_all(before); // what was logged before goes to the file it was logged to
    std::lock_guard<std::mutex> guard{mutex_};
    if (fd_ == STDERR_FILENO) {
      fd_ = fd; // the first open: from now on lines go to a descriptor of their own
      return {};
    }
    int rc = ::dup2(fd, fd_);
    int err = errno;
    ::close(fd);
    if (rc < 0)
      return "cannot reopen the log file " + path + ": " + std::strerror(err);
    return {};
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (threaded_ && pending_.size() >= max_pending) {
      lines_dropped.fetch_add(1, std::memory_order_relaxed);
      urgent_ = true; // the writer may be asleep on a full buffer
      wake_.notify_one();
      return;
    }
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    pending_.append(buf.data(), buf.size());
    if (!threaded_) {
      write_all(pending_);
      pending_.clear();
    } else if (msg.level >= spdlog::level::warn || pending_.size() >= wake_bytes) {
      urgent_ = true; // seen even if the writer is busy writing now
      wake_.notify_one();
    }
  }

  void flush_() override {
    if (threaded_) {
      urgent_ = true;
      wake_.notify_one();
    }
  }

private:
  void write_loop() {
    std::string batch;
    std::unique_lock<std::mutex> lock{mutex_};
    for (;;) {
      wake_.wait_for(lock, flush_interval, [this] { return stop_ || urgent_; });
      urgent_ = false;
      bool stop = stop_;
      batch.swap(pending_);
      lock.unlock();
      {
        std::lock_guard<std::mutex> writing{write_mutex_};
        write_all(batch);
      }
      batch.clear(); // keeps its capacity for the next swap
      if (stop)
        return;
      lock.lock();
    }
  }

  // Called with mutex_ or write_mutex_ held (either keeps fd_ as it is).
  void write_all(const std::string& lines) {
    const char* p = lines.data();
    std::size_t left = lines.size();
    while (left > 0) {
      auto n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        // Nowhere left to report a failed write: its lines count as dropped.
        lines_dropped.fetch_add(static_cast<std::uint64_t>(std::count(p, p + left, '\n')),
                                std::memory_order_relaxed);
        break;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }

  // mutex_ is base_sink's: held while a line is logged.
  int fd_;                   ///< Changed with mutex_ and write_mutex_ held.
  std::string pending_;      ///< Lines not written yet; with mutex_.
  std::mutex write_mutex_;   ///< Held by the writer thread while it writes; taken before mutex_.
  std::condition_variable wake_;
  std::thread writer_;       ///< Started and joined by the main thread.
  bool threaded_ = false;    ///< Whether the writer thread writes the lines; with mutex_.
  bool stop_ = false;        ///< With mutex_.
  bool urgent_ = false;      ///< Write without waiting for the interval; with mutex_.
};

constexpr const char* text_pattern = "%Y-%m-%dT%H:%M:%S.%fZ %l %v";
constexpr const char* json_pattern = R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})";

std::unique_ptr<spdlog::formatter> make_formatter(bool json) {
  return std::make_unique<spdlog::pattern_formatter>(
    json ? json_pattern : text_pattern, spdlog::pattern_time_type::utc, "\n");
}

spdlog::level::level_enum to_spdlog(log_level level) {
  switch (level) {
    case log_level::trace:
      return spdlog::level::trace;
    case log_level::debug:
      return spdlog::level::debug;
    case log_level::info:
      return spdlog::level::info;
    case log_level::warning:
      return spdlog::level::warn;
    case log_level::error:
      return spdlog::level::err;
    case log_level::off:
      break;
  }
  return spdlog::level::off;
}

// Every logger made. They are never destroyed (a thread may still hold the
// previous one after a switch), so the one in use (`current`) is read
// without a lock.
std::vector<std::shared_ptr<spdlog::logger>>& all_loggers() {
  static auto* loggers = new std::vector<std::shared_ptr<spdlog::logger>>; // never freed
  return *loggers;
}

std::shared_ptr<fd_sink> current_sink = std::make_shared<fd_sink>(STDERR_FILENO);
std::atomic<bool> json_format{false};

spdlog::logger* make_sync_logger(std::shared_ptr<fd_sink> sink, bool json,
                                 spdlog::level::level_enum level) {
  sink->set_formatter(make_formatter(json));
  auto logger = std::make_shared<spdlog::logger>("analysisd", std::move(sink));
  logger->set_level(level);
  all_loggers().push_back(logger);
  return logger.get();
}

spdlog::logger* initial_logger() {
  static spdlog::logger* logger = make_sync_logger(current_sink, false, spdlog::level::info);
  return logger;
}

std::atomic<spdlog::logger*> current{nullptr};

spdlog::logger* logger() {
  auto* l = current.load(std::memory_order_acquire);
  return l != nullptr ? l : initial_logger();
}

bool parse_format(const std::string& name, bool& json) {
  if (name == "text")
    json = false;
  else if (name == "json")
    json = true;
  else
    return false;
  return true;
}

// Characters a text-format value may hold unquoted (a table: this runs
// over every value of every access-log line).
struct plain_characters {
  bool ok[256] = {};
  plain_characters() {
    for (int c = 0; c < 256; ++c)
      ok[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    for (const char* c = "-_.:/{}@+,"; *c != '\0'; ++c)
      ok[static_cast<unsigned char>(*c)] = true;
  }
};

bool plain(std::string_view value) {
  static const plain_characters table;
  if (value.empty())
    return false;
  for (char c : value)
    if (!table.ok[static_cast<unsigned char>(c)])
      return false;
  return true;
}

} // namespace

bool parse_log_level(const std::string& name, log_level& out) {
  static const std::pair<const char*, log_level> names[] = {
    {"trace", log_level::trace}, {"debug", log_level::debug},     {"info", log_level::info},
    {"warning", log_level::warning}, {"error", log_level::error}, {"off", log_level::off}};
  for (const auto& [n, l] : names) {
    if (name == n) {
      out = l;
      return true;
    }
  }
  return false;
}

std::string check_log_options(const log_options& opts) {
  log_level level;
  bool json;
  if (!parse_log_level(opts.level, level))
    return "--log-level takes trace, debug, info, warning, error or off, not '" + opts.level + "'";
  if (!parse_format(opts.format, json))
    return "--log-format takes text or json, not '" + opts.format + "'";
  return {};
}

bool init_logging(const log_options& opts, std::string& error) {
  error = check_log_options(opts);
  if (!error.empty())
    return false;
  log_level level = log_level::info;
  bool json = false;
  parse_log_level(opts.level, level);
  parse_format(opts.format, json);
  auto sink = std::make_shared<fd_sink>(STDERR_FILENO);
  if (!opts.file.empty()) {
    error = sink->reopen(opts.file);
    if (!error.empty())
      return false;
  }
  auto* logger = make_sync_logger(sink, json, to_spdlog(level));
  sink->start_writer();
  auto before = std::exchange(current_sink, sink);
  json_format.store(json, std::memory_order_relaxed);
  current.store(logger, std::memory_order_release);
  before->stop_writer(); // a thread still holding the logger before writes at once
  return true;
}

std::string open_log_file(const std::string& path) {
  return current_sink->reopen(path);
}

void shutdown_logging() {
  current_sink->stop_writer(); // later lines are written at once
}

bool log_enabled(log_level level) {
  return level != log_level::off && logger()->should_log(to_spdlog(level));
}

namespace {

// A return from main that skips shutdown_logging still writes every line:
// destroyed before the other globals of this file, it shuts down while
// they exist.
struct shutdown_at_exit {
  ~shutdown_at_exit() {
    shutdown_logging();
  }
} at_exit;

} // namespace

std::uint64_t log_lines_dropped() {
  return lines_dropped.load(std::memory_order_relaxed);
}

void log_at(log_level level, std::string_view message) {
  auto* l = logger();
  auto lv = to_spdlog(level);
  if (level == log_level::off || !l->should_log(lv))
    return;
  if (json_format.load(std::memory_order_relaxed)) {
    std::string line = "\"msg\":";
    append_json_string(line, message);
    l->log(lv, spdlog::string_view_t{line.data(), line.size()});
  } else if (std::none_of(message.begin(), message.end(),
                          [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    l->log(lv, spdlog::string_view_t{message.data(), message.size()});
  } else {
    // A control character (a newline in a path that someone gave) would
    // start a line of its own: the message goes as a JSON string instead.
    std::string quoted;
    append_json_string(quoted, message);
    l->log(lv, spdlog::string_view_t{quoted.data(), quoted.size()});
  }
}

log_entry::log_entry(log_level level, std::string_view message)
  : level_(level), enabled_(log_enabled(level)) {
  if (!enabled_)
    return;
  json_ = json_format.load(std::memory_order_relaxed);
  text_.reserve(256); // an access-log line, without growing
  if (json_) {
    text_ = "\"msg\":";
    append_json_string(text_, message);
  } else {
    text_.assign(message.data(), message.size());
  }
}

log_entry& log_entry::field(std::string_view key, std::string_view value) {
  if (!enabled_)
    return *this;
  append_key(key);
  if (json_) {
    append_json_string(text_, value);
  } else {
    if (plain(value))
      text_.append(value.data(), value.size());
    else
      append_json_string(text_, value);
  }
  return *this;
}

void log_entry::append_key(std::string_view key) {
  if (json_) {
    text_ += ',';
    append_json_string(text_, key);
    text_ += ':';
  } else {
    text_ += ' ';
    text_.append(key.data(), key.size());
    text_ += '=';
  }
}

log_entry& log_entry::field(std::string_view key, std::uint64_t value) {
  if (!enabled_)
    return *this;
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void) ec; // 20 digits at most
  append_key(key);
  text_.append(buf, end);
  return *this;
}

log_entry& log_entry::field(std::string_view key, double value, int decimals) {
  if (!enabled_)
    return *this;
  char buf[64];
  // to_chars, not snprintf: this is on every access-log line, and the C
  // locale's snprintf cost a GET more than half a microsecond.
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed, decimals);
  append_key(key);
  if (ec == std::errc{})
    text_.append(buf, end);
  else
    text_ += "0"; // a duration beyond 10^60
  return *this;
}

void log_entry::write() {
  if (!enabled_)
    return;
  enabled_ = false;
  logger()->log(to_spdlog(level_), spdlog::string_view_t{text_.data(), text_.size()});
}

void append_json_string(std::string& out, std::string_view text) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xf];
      }
      ++i;
      continue;
    }
    // A UTF-8 sequence: copied if well-formed (no overlong form, no
    // surrogate, at most U+10FFFF), else one U+FFFD for its first byte.
    std::size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    bool ok = len != 0 && c <= 0xf4 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (p[i + k] & 0xc0) == 0x80;
    if (ok && len == 3) {
      unsigned c1 = p[i + 1];
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);
    }
    if (ok && len == 4) {
      unsigned c1 = p[i + 1];
      ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(text.data() + i, len);
      i += len;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
}

} // namespace analysisd
