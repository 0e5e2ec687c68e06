#include "http/request_parsing.hpp"

#include "actors/analysis_logic.hpp"
#include "tests/actors/helpers.hpp"

#include <gtest/gtest.h>

using namespace analysisd;
using analysisd::test::e;

namespace {

nlohmann::json errors_of(const caf::error& err) {
  return nlohmann::json::parse(context_of(err));
}

const char* good_create_json =
  R"({"workflow":"pathoscope_bowtie","sample":{"id":"kigvhuql","name":"Test 1"},)"
  R"("index":{"id":"qldihken","version":0},"user":{"id":"igboyes"},)"
  R"("subtractions":[{"id":"yhxoynb0","name":"Arabidopsis Thaliana"}]})";

} // namespace

TEST(request_parsing, results_are_extracted_compact) {
  EXPECT_EQ(extract_results(R"({"results": {"a": [1, 2]}, "other": 1})"), R"({"a":[1,2]})");
  EXPECT_EQ(extract_results(R"({"results":{}})"), "{}");
}

TEST(request_parsing, missing_or_non_object_results_are_empty) {
  for (auto body : {"", "{}", "[]", "null", R"({"results":[]})", R"({"results":null})",
                    R"({"results":"x"})", R"({"results":{})", "{\"results\":{\"a\":\"\xFF\"}}"})
    EXPECT_EQ(extract_results(body), "") << body;
}

TEST(request_parsing, valid_create_body_is_parsed) {
  create_request r;
  ASSERT_FALSE(parse_create(good_create_json, r));
  EXPECT_EQ(r.workflow, "pathoscope_bowtie");
  EXPECT_EQ(r.sample.name, "Test 1");
  EXPECT_EQ(r.index.id, "qldihken");
  EXPECT_EQ(r.user_id, "igboyes");
  ASSERT_EQ(r.subtractions.size(), 1u);
  EXPECT_EQ(r.id, "");
  auto j = nlohmann::json::parse(good_create_json);
  j.erase("subtractions");
  j["id"] = "abcd1234";
  create_request r2;
  ASSERT_FALSE(parse_create(j.dump(), r2));
  EXPECT_TRUE(r2.subtractions.empty());
  EXPECT_EQ(r2.id, "abcd1234");
}

TEST(request_parsing, create_reports_one_entry_per_bad_field) {
  create_request r;
  auto err = parse_create(R"({"workflow":1,"sample":"x","index":{"id":"i","version":"0"},)"
                          R"("subtractions":{},"id":"BAD"})", r);
  ASSERT_EQ(code_of(err), e(errc::invalid_input));
  auto errs = errors_of(err);
  EXPECT_EQ(errs["workflow"], nlohmann::json({"must be of string type"}));
  EXPECT_EQ(errs["sample"], nlohmann::json({"must be of dict type"}));
  EXPECT_EQ(errs["index.version"], nlohmann::json({"must be of integer type"}));
  EXPECT_EQ(errs["user"], nlohmann::json({"required field"}));
  EXPECT_EQ(errs["subtractions"], nlohmann::json({"must be of list type"}));
  EXPECT_EQ(errs["id"], nlohmann::json({"must be 8 characters of [a-z0-9]"}));
  EXPECT_FALSE(errs.contains("index.id"));

  create_request r2;
  auto err2 = parse_create(R"({"workflow":"","sample":{"id":"s"},"index":{"id":"i","version":1.5},)"
                           R"("user":{"id":"u"},"subtractions":[{"id":"x"}]})", r2);
  ASSERT_EQ(code_of(err2), e(errc::invalid_input));
  auto errs2 = errors_of(err2);
  EXPECT_EQ(errs2["workflow"], nlohmann::json({"required field"}));
  EXPECT_EQ(errs2["sample.name"], nlohmann::json({"required field"}));
  EXPECT_EQ(errs2["index.version"], nlohmann::json({"must be of integer type"}));
  EXPECT_EQ(errs2["subtractions.name"], nlohmann::json({"required field"}));
  EXPECT_EQ(errs2.size(), 4u);
}

TEST(request_parsing, create_with_absurd_numbers_or_non_json_is_invalid_input) {
  auto j = nlohmann::json::parse(good_create_json);
  j["index"]["version"] = 18446744073709551615ull;
  create_request r;
  EXPECT_EQ(code_of(parse_create(j.dump(), r)), e(errc::invalid_input));
  for (auto body : {"", "[]", "nul", "{\"workflow\":\"\xFF\"}"}) {
    create_request r2;
    auto err = parse_create(body, r2);
    ASSERT_EQ(code_of(err), e(errc::invalid_input)) << body;
    EXPECT_TRUE(errors_of(err).contains("body")) << body;
  }
}

TEST(request_parsing, acquire_needs_acquired_true) {
  EXPECT_FALSE(parse_acquire(R"({"acquired":true})"));
  EXPECT_FALSE(parse_acquire(R"({"acquired":true,"x":1})"));
  for (auto body : {"", "{}", R"({"acquired":false})", R"({"acquired":"true"})", R"({"acquired":1})",
                    "[true]", "true"})
    EXPECT_EQ(code_of(parse_acquire(body)), e(errc::invalid_input)) << body;
}

TEST(request_parsing, list_query_defaults_and_bounds) {
  list_request r;
  ASSERT_FALSE(parse_list_query("", r));
  EXPECT_EQ(r.page, 1u);
  EXPECT_EQ(r.per_page, 25u);
  ASSERT_FALSE(parse_list_query("page=3&per_page=100", r));
  EXPECT_EQ(r.page, 3u);
  EXPECT_EQ(r.per_page, 100u);
  ASSERT_FALSE(parse_list_query("per_page=1", r));
  EXPECT_EQ(r.per_page, 1u);
  for (auto q : {"per_page=0", "per_page=101", "per_page=-1", "per_page=abc", "per_page=",
                 "per_page=99999999999999999999", "per_page=1e2"}) {
    list_request x;
    auto err = parse_list_query(q, x);
    ASSERT_EQ(code_of(err), e(errc::invalid_query)) << q;
    EXPECT_TRUE(errors_of(err).contains("per_page")) << q;
    EXPECT_EQ(x.per_page, 25u) << q;
  }
  for (auto q : {"page=0", "page=-2", "page=100000001", "page=18446744073709551617"}) {
    list_request x;
    auto err = parse_list_query(q, x);
    ASSERT_EQ(code_of(err), e(errc::invalid_query)) << q;
    EXPECT_TRUE(errors_of(err).contains("page")) << q;
  }
  list_request both;
  auto err = parse_list_query("page=0&per_page=0", both);
  ASSERT_EQ(code_of(err), e(errc::invalid_query));
  EXPECT_EQ(errors_of(err).size(), 2u);
}

TEST(request_parsing, json_body_refuses_a_million_nested_brackets_without_crashing) {
  nlohmann::json j;
  EXPECT_FALSE(parse_json_body(std::string(1000000, '['), j));
  EXPECT_FALSE(parse_json_body(std::string(1000000, '[') + std::string(1000000, ']'), j));
  EXPECT_FALSE(parse_json_body(std::string(1000000, '{'), j));
  EXPECT_EQ(extract_results("{\"results\":" + std::string(1000000, '[')), "");
}

TEST(request_parsing, json_body_depth_limit) {
  nlohmann::json j;
  EXPECT_TRUE(parse_json_body(std::string(128, '[') + std::string(128, ']'), j));
  EXPECT_FALSE(parse_json_body(std::string(130, '[') + std::string(130, ']'), j));
}

namespace {

// depth levels of objects: {"a":{"a":...{}}}
std::string nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i)
    s += i + 1 < depth ? "{\"a\":" : "{";
  return s + std::string(static_cast<std::size_t>(depth), '}');
}

} // namespace

// The analysis actor trusts these results (compact, an object, within the
// depth limit): this is the only place a finalize body is parsed. The keys
// stay in the client's order (finalize_body_test.cpp has the rest).
TEST(request_parsing, results_are_made_compact) {
  EXPECT_EQ(extract_results("{\"results\": { \"b\" : [1, 2],\n \"a\": {\"x\": null} }}"),
            R"({"b":[1,2],"a":{"x":null}})");
  for (auto bad : {"", "[]", "1", "{\"results\":[]}", "{\"results\":null}", "{\"results\":\"{}\"}",
                   "{\"results\":{}", "{\"results\":{}} {}", "{\"results\":{\"a\":\"\xFF\"}}"})
    EXPECT_EQ(extract_results(bad), "") << bad;
}

TEST(request_parsing, results_nested_past_the_depth_limit_are_refused) {
  // The body's own object is one level: results may be nested one less.
  auto body = [](int depth) { return "{\"results\":" + nested(depth) + "}"; };
  EXPECT_EQ(extract_results(body(100)), nested(100));
  EXPECT_EQ(extract_results(body(max_json_depth - 1)), nested(max_json_depth - 1));
  EXPECT_EQ(extract_results(body(max_json_depth + 1)), "");
  EXPECT_EQ(extract_results(body(200)), "");
  EXPECT_EQ(extract_results("{\"results\":{\"a\":" + std::string(100000, '[')
                            + std::string(100000, ']') + "}}"),
            "");
}

TEST(request_parsing, json_body_refuses_invalid_utf8_and_garbage) {
  nlohmann::json j;
  EXPECT_TRUE(parse_json_body(R"({"a":"\u00e9"})", j));
  EXPECT_TRUE(parse_json_body("{\"a\":\"\xC3\xA9\"}", j));
  EXPECT_FALSE(parse_json_body("{\"a\":\"\xFF\"}", j));
  EXPECT_FALSE(parse_json_body("{\"a\":\"\xC0\xAF\"}", j));
  EXPECT_FALSE(parse_json_body("\"\xED\xA0\x80\"", j));
  EXPECT_FALSE(parse_json_body("", j));
  EXPECT_FALSE(parse_json_body("{", j));
  EXPECT_FALSE(parse_json_body("{} x", j));
  EXPECT_FALSE(parse_json_body(std::string("{\0}", 3), j));
  EXPECT_FALSE(parse_json_body("1e999999", j) && !j.is_number()) << "absurd numbers never crash";
}

TEST(request_parsing, parse_decimal_takes_only_bounded_digit_strings) {
  std::uint64_t x = 7;
  EXPECT_TRUE(parse_decimal("0", 3, x));
  EXPECT_EQ(x, 0u);
  EXPECT_TRUE(parse_decimal("123", 3, x));
  EXPECT_EQ(x, 123u);
  x = 7;
  for (auto bad : {"", "1234", "-1", "+1", "1a", " 1", "1 ", "0x1"}) {
    EXPECT_FALSE(parse_decimal(bad, 3, x)) << bad;
    EXPECT_EQ(x, 7u) << "unchanged on failure: " << bad;
  }
}

TEST(request_parsing, if_none_match_follows_rfc_9110) {
  const std::string tag = "\"0123456789abcdef\"";
  const std::vector<std::string> matching = {
    tag, "W/" + tag, "*", " * ", "\"x\"," + tag, "\"x\" , W/" + tag + " ", ", ," + tag + ",",
    "\t" + tag};
  for (const auto& v : matching)
    EXPECT_TRUE(if_none_match(v, tag)) << v;
  const std::vector<std::string> not_matching = {
    "", " ", "\"x\"", "0123456789abcdef", "w/" + tag, tag + "x", tag + " \"y\"", "*, " + tag,
    "\"" + tag, "\"0123456789abcdef", "\"0123456789 abcdef\"", "**"};
  for (const auto& v : not_matching)
    EXPECT_FALSE(if_none_match(v, tag)) << v;
  EXPECT_FALSE(if_none_match("\"\"", tag));
  EXPECT_TRUE(if_none_match("\"\"", "\"\""));
}
