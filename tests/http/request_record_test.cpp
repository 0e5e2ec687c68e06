// Unit: request ids: which a client may give, and the ones the server makes.

#include "http/request_record.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

using namespace analysisd;

TEST(request_record, client_request_ids_are_taken_only_when_short_and_safe) {
  for (const char* ok : {"a", "0f8fad5b-d9cb-469f-a165-70867728950e", "trace.1:span_2"})
    EXPECT_TRUE(acceptable_request_id(ok)) << ok;
  EXPECT_TRUE(acceptable_request_id(std::string(max_request_id, 'x')));
  for (std::string bad : {std::string{}, std::string(max_request_id + 1, 'x'),
                          std::string{"has space"}, std::string{"quote\""},
                          std::string{"new\nline"}, std::string{"a=b"}, std::string{"\xc3\xa9"}})
    EXPECT_FALSE(acceptable_request_id(bad)) << bad;
}

TEST(request_record, made_request_ids_are_32_hex_digits_and_differ) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = make_request_id();
    EXPECT_TRUE(std::regex_match(id, std::regex{"[0-9a-f]{32}"})) << id;
    EXPECT_TRUE(acceptable_request_id(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}
