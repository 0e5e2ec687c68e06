// Unit: the pieces of the log that need no process set-up: option checks and
// the JSON escaping every JSON line goes through.

#include "persistence/log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

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
