// Unit: option checks, the JSON escaping every JSON line goes through, and
// the writer thread behind init_logging (each test runs in a process of its
// own, so the ones that set the process's log up change no other test).

#include "persistence/log.hpp"
#include "tests/support/server_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd;

namespace {

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

} // namespace

TEST(log, levels_and_formats_are_checked_strictly) {
  log_level l;
  for (const char* ok : {"trace", "debug", "info", "warning", "error", "off"})
    EXPECT_TRUE(parse_log_level(ok, l)) << ok;
  for (const char* bad : {"", "warn", "INFO", "critical", "info "})
    EXPECT_FALSE(parse_log_level(bad, l)) << bad;
  log_options o;
  EXPECT_EQ(check_log_options(o), "");
  o.format = "json";
  EXPECT_EQ(check_log_options(o), "");
  o.format = "yaml";
  EXPECT_NE(check_log_options(o).find("--log-format takes text or json, not 'yaml'"),
            std::string::npos);
  o.format = "text";
  o.level = "loud";
  EXPECT_NE(check_log_options(o).find("--log-level"), std::string::npos);
}

TEST(log, json_strings_escape_quotes_and_control_characters) {
  EXPECT_EQ(json_string("plain"), "\"plain\"");
  EXPECT_EQ(json_string("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json_string("line\nbreak\ttab\x01\x7f"), R"("line\nbreak\ttab\u0001\u007f")");
  EXPECT_EQ(json_string(std::string_view{"nul\0x", 5}), R"("nul\u0000x")");
}

TEST(log, json_strings_keep_utf8_and_replace_invalid_bytes) {
  EXPECT_EQ(json_string("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(json_string("\xff"), R"("\ufffd")");
  EXPECT_EQ(json_string("\xc0\xaf"), R"("\ufffd\ufffd")");          // overlong
  EXPECT_EQ(json_string("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")"); // surrogate
  EXPECT_EQ(json_string("\xe2\x82"), R"("\ufffd\ufffd")");           // cut short
  // Whatever the bytes, the result is JSON that parses back.
  std::string all;
  for (int c = 0; c < 256; ++c)
    all += static_cast<char>(c);
  nlohmann::json parsed;
  EXPECT_NO_THROW(parsed = nlohmann::json::parse(json_string(all)));
  EXPECT_EQ(parsed.get<std::string>().substr(0, 3), std::string("\0\x01\x02", 3));
}

TEST(log, lines_from_many_threads_are_all_written_each_threads_in_order) {
  test::temp_dir dir;
  const std::string file = dir.path() + "/log";
  std::string error;
  ASSERT_TRUE(init_logging({"info", "json", file}, error)) << error;
  constexpr std::uint64_t threads = 4, lines = 5000;
  std::vector<std::thread> loggers;
  for (std::uint64_t t = 0; t < threads; ++t)
    loggers.emplace_back([t] {
      for (std::uint64_t n = 0; n < lines; ++n)
        log_entry{log_level::info, "line"}.field("t", t).field("n", n).write();
    });
  for (auto& l : loggers)
    l.join();
  // The writer thread writes them without a shutdown (within its 100 ms).
  auto written = [&] {
    std::ifstream in{file};
    return static_cast<std::uint64_t>(std::count(std::istreambuf_iterator<char>{in}, {}, '\n'));
  };
  for (int i = 0; i < 500 && written() < threads * lines; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(written(), threads * lines);
  log_entry{log_level::info, "numbers"}.field("ms", 12.3456, 3).field("small", 0.0004, 3).write();
  log_entry{log_level::warning, "last"}.write();
  shutdown_logging();
  log_entry{log_level::info, "after the writer"}.write(); // written at once
  std::ifstream in{file};
  std::map<std::uint64_t, std::uint64_t> next;
  std::string line, last;
  int numbers = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j.at("msg") == "line") {
      auto t = j.at("t").get<std::uint64_t>();
      EXPECT_EQ(j.at("n").get<std::uint64_t>(), next[t]) << line;
      next[t] = j.at("n").get<std::uint64_t>() + 1;
    }
    if (j.at("msg") == "numbers") {
      ++numbers;
      EXPECT_NE(line.find(R"("ms":12.346,"small":0.000})"), std::string::npos) << line;
    }
    last = j.at("msg").get<std::string>();
  }
  for (std::uint64_t t = 0; t < threads; ++t)
    EXPECT_EQ(next[t], lines) << t;
  EXPECT_EQ(numbers, 1);
  EXPECT_EQ(last, "after the writer");
  EXPECT_EQ(log_lines_dropped(), 0u);
}

TEST(log, a_stuck_pipe_never_blocks_a_caller_and_what_it_cannot_hold_is_dropped_and_counted) {
  test::temp_dir dir;
  const std::string fifo = dir.path() + "/log";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  std::string error;
  ASSERT_TRUE(init_logging({"info", "text", fifo}, error)) << error;
  // Nobody reads the pipe: its 64 KiB fill and the writer thread blocks in
  // write(2). The callers go on: 60,000 lines of about 200 bytes are three
  // times what the buffer holds.
  constexpr std::uint64_t lines = 60000;
  const std::string padding(150, 'x');
  auto finished = std::make_shared<std::promise<void>>();
  auto logged = finished->get_future();
  std::thread logging{[finished, padding] {
    for (std::uint64_t n = 0; n < lines; ++n)
      log_entry{log_level::info, "line"}.field("n", n).field("pad", padding).write();
    finished->set_value();
  }};
  if (logged.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    logging.detach(); // stuck on the pipe: the test fails instead of hanging
    FAIL() << "a caller waited for the stuck pipe";
  }
  logging.join();
  const auto dropped = log_lines_dropped();
  EXPECT_GT(dropped, 0u);
  EXPECT_LT(dropped, lines);
  // Someone reads again: every line that was not dropped comes out whole.
  std::atomic<bool> done{false};
  std::string out;
  std::thread drain{[&] {
    char buf[65536];
    for (;;) {
      pollfd p{reader, POLLIN, 0};
      bool finishing = done.load();
      int ready = ::poll(&p, 1, 100);
      if (ready > 0) {
        auto n = ::read(reader, buf, sizeof buf);
        if (n > 0) {
          out.append(buf, static_cast<std::size_t>(n));
          continue;
        }
      }
      if (finishing)
        return;
    }
  }};
  shutdown_logging(); // waits for the writer thread, which writes what it holds
  done = true;
  drain.join();
  ::close(reader);
  EXPECT_EQ(static_cast<std::uint64_t>(std::count(out.begin(), out.end(), '\n')), lines - dropped);
  std::istringstream in{out};
  std::string line;
  std::uint64_t whole = 0;
  while (std::getline(in, line))
    whole += line.find(" line n=") != std::string::npos && line.size() > padding.size() ? 1 : 0;
  EXPECT_EQ(whole, lines - dropped);
}
